-- PAUSE: the fleet pauses for ARGV[1] ms (a shorter pause never shortens a longer one); ARGV[2] keep (ms). The first
-- process on the wait list is told to ask when the pause ends ('d' and the ms): its answer wakes the rest.
--#include now
local stop = now + tonumber(ARGV[1])
if stop > (tonumber(redis.call('HGET', KEYS[1], 'pause')) or 0) then redis.call('HSET', KEYS[1], 'pause', stop) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local first = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
if first then redis.call('PUBLISH', KEYS[3] .. ':' .. first, 'd' .. (stop - now)) end
return 1
