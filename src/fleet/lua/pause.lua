-- PAUSE: the fleet pauses for ARGV[1] ms (a shorter pause never shortens a longer one); ARGV[2] keep (ms).
--#include now
local stop = now + tonumber(ARGV[1])
if stop > (tonumber(redis.call('HGET', KEYS[1], 'pause')) or 0) then redis.call('HSET', KEYS[1], 'pause', stop) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
