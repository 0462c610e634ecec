-- HEALTH: what an answer says of a down fleet's API (sent only while the sender knows the fleet down, or for
-- its probe). ARGV: 1 the evidence ('u' up, 'd' down, '' neither), 2 the probe token the grant carried ('' none),
-- 3 a jitter factor (0.8–1.2), 4 and 5 the probe schedule's bounds (ms). Two successes in a row (the probe's, or
-- any straggler's) end the outage: returns 2, so the process that saw it tells the others. A failed probe
-- doubles the interval.
--#include now
local H = redis.call('HMGET', KEYS[1], 'hdown', 'hprobe', 'hint', 'hok')
if H[1] then
  local ev, probe = ARGV[1], H[2] ~= false and H[2] == ARGV[2]
  if probe then redis.call('HDEL', KEYS[1], 'hprobe', 'hpuntil') end
  if ev == 'u' then
    local ok = (tonumber(H[4]) or 0) + 1
    if ok >= 2 then
      redis.call('HDEL', KEYS[1], 'hdown', 'hnext', 'hprobe', 'hpuntil', 'hexp', 'hint', 'hprobes', 'hok')
      return 2
    end
    redis.call('HSET', KEYS[1], 'hok', ok, 'hnext', now)
  elseif ev == 'd' and probe then
    local int = math.min(tonumber(ARGV[5]), (tonumber(H[3]) or tonumber(ARGV[4])) * 2)
    local next = now + math.floor(int * tonumber(ARGV[3]))
    redis.call('HSET', KEYS[1], 'hint', int, 'hnext', next, 'hok', 0, 'hexp', next + tonumber(ARGV[5]))
  elseif probe then
    redis.call('HSET', KEYS[1], 'hnext', now)
  end
end
return 0
