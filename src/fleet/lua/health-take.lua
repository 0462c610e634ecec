-- Included in TAKE after the pause: the fleet's health. While the API is down (hdown set, not lapsed), one
-- probe at a time goes, once per interval, for the whole fleet; everyone else is told to wait until then
-- (reason 5, with the outage's age). A state nobody renewed past hexp lapses by itself: no process holds the
-- fleet shut forever. Sets `probing` when this request is the probe (marked once it is granted).
local H = redis.call('HMGET', KEYS[1], 'hdown', 'hnext', 'hprobe', 'hpuntil', 'hexp')
local hdown = tonumber(H[1])
local probing = false
if hdown then
  if now > tonumber(H[5]) then
    redis.call('HDEL', KEYS[1], 'hdown', 'hnext', 'hprobe', 'hpuntil', 'hexp', 'hint', 'hprobes', 'hok')
  elseif H[3] and now < tonumber(H[4]) then
    return {0, tonumber(H[4]) - now, 5, now - hdown}
  elseif now < tonumber(H[2]) then
    return {0, tonumber(H[2]) - now, 5, now - hdown}
  else
    probing = true
  end
end
