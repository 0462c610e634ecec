-- TAKE: may a request go? KEYS and fields: see fleet/keys.ts. ARGV: 1 keep (ms), 2 expiration (ms), 3 recheck (ms),
-- 4 mode (0 a check, 1 a dispatch counted), 5 blind cap, 6 a probe's lease (ms). A grant answers {1, entry}, and
-- {1, entry, token} when it is the probe of a down fleet (a check: entry '').
--#include now
local q = redis.call('HMGET', KEYS[1], 'pause', 'n', 'rem', 'reset', 'rp', 'rpAt')
local pause = tonumber(q[1])
if pause and now < pause then return {0, pause - now, 1} end
--#include health-take
if ARGV[4] ~= '1' then
  if not probing then return {1} end
  local token = 'c' .. redis.call('HINCRBY', KEYS[1], 'hpn', 1)
  --#include health-mark
  return {1, '', token}
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local n, rem, reset = tonumber(q[2]) or 0, tonumber(q[3]), tonumber(q[4])
if reset and now < reset then
  if rem - redis.call('ZCARD', KEYS[2]) <= 0 then
    if rem <= 0 then return {0, reset - now, 2} end
    return {0, math.min(reset - now, tonumber(ARGV[3])), 3}
  end
elseif reset then
  if q[5] and now - tonumber(q[6]) < {{PROBE_MS}} then return {0, tonumber(ARGV[3]), 3} end
  redis.call('HSET', KEYS[1], 'rp', n, 'rpAt', now)
else
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return {0, tonumber(ARGV[3]), 3} end
  --#include take-from-429s
end
local expires = now + tonumber(ARGV[2])
local entry = n .. ':' .. expires
redis.call('HSET', KEYS[1], 'n', n + 1)
redis.call('ZADD', KEYS[2], expires, entry)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
local token = entry
--#include health-mark
if probing then return {1, entry, token} end
return {1, entry}
