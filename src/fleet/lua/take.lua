-- TAKE: may requests go? KEYS and fields: see fleet/keys.ts; ARGV and the reply: see take-one.lua and wake.lua.
--#include now
--#include take-one
--#include settle
--#include wake
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return take()
