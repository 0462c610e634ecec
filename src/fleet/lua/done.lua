-- DONE: a counted dispatch was answered (or never sent). KEYS and fields: see fleet/keys.ts. ARGV: 1 the grant's
-- entry, 2 kind ('r' a report, 'x' a 429, 's' a success, 'u' unsent, none: no answer), 3/4 its numbers.
--#include now
redis.call('ZREM', KEYS[2], ARGV[1])
local g = tonumber(string.match(ARGV[1], '^(%d+):'))
if g and g == tonumber(redis.call('HGET', KEYS[1], 'rp')) then
  redis.call('HDEL', KEYS[1], 'rp', 'rpAt')
  if ARGV[2] == 's' then redis.call('HDEL', KEYS[1], 'rem', 'reset') end
end
if g and ARGV[2] ~= 'r' then
  --#include done-from-429s
end
if ARGV[2] ~= 'r' then return 0 end
local rem, resetAt = tonumber(ARGV[3]), now + tonumber(ARGV[4])
if resetAt <= now then return 0 end
local q = redis.call('HMGET', KEYS[1], 'rem', 'reset')
local known, reset = tonumber(q[1]), tonumber(q[2])
if reset and now < reset then
  if resetAt <= reset - 1000 then return 0 end
  if resetAt < reset + 1000 then
    if known <= rem then
      if resetAt >= reset then return 0 end
      rem = known
    end
    resetAt = math.min(resetAt, reset)
  end
end
redis.call('HSET', KEYS[1], 'rem', rem, 'reset', resetAt)
return 1
