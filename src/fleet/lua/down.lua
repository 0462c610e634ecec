-- DOWN: a process found the API down. ARGV: 1 delay to the first probe (ms, jittered), 2 the interval, 3 the
-- longest interval, 4 keep (ms). Returns {1} when this starts the fleet's outage; {0, age, until next probe}
-- when the fleet already knew (the caller adopts its schedule).
--#include now
local H = redis.call('HMGET', KEYS[1], 'hdown', 'hnext', 'hexp')
if H[1] and now <= tonumber(H[3]) then return {0, now - tonumber(H[1]), math.max(0, tonumber(H[2]) - now)} end
local next = now + tonumber(ARGV[1])
redis.call('HSET', KEYS[1], 'hdown', now, 'hnext', next, 'hint', ARGV[2], 'hok', 0, 'hprobes', 0, 'hexp', next + tonumber(ARGV[3]))
redis.call('HDEL', KEYS[1], 'hprobe', 'hpuntil')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1}
