-- Included by DONE: `settle(entry, kind, xa, xb)` marks a counted dispatch answered (or never sent) and keeps
-- what its response reported: kind 'r' a report (xa remaining, xb ms to its reset), 'x' a 429 naming xa ms,
-- 's' a success, 'u' given back unsent, '' failed without an answer.
local function settle(entry, kind, xa, xb)
  redis.call('ZREM', KEYS[2], entry)
  local g = tonumber(string.match(entry, '^(%d+):'))
  local epoch = string.match(entry, '^%d+:%d+:(%d+)$')
  local f = redis.call('HMGET', KEYS[1], 'e', 'lost', 'rp')
  if epoch and epoch ~= f[1] then
    -- Granted by a ledger since lost (FLUSHALL, its keys deleted or evicted, a restart without persistence): its
    -- wait list went with it, and every process listed there waits for a wake that will not come. The first such
    -- answer wakes them all, on the fleet's channel, to ask again. Its number means nothing to this ledger.
    g = nil
    if epoch ~= f[2] then
      redis.call('HSET', KEYS[1], 'lost', epoch)
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      redis.call('PUBLISH', KEYS[3], 'w')
    end
  end
  if g and g == tonumber(f[3]) then
    redis.call('HDEL', KEYS[1], 'rp', 'rpAt')
    if kind == 's' then redis.call('HDEL', KEYS[1], 'rem', 'reset') end
  end
  if g and kind ~= 'r' then
    --#include done-from-429s
  end
  if kind ~= 'r' then return 0 end
  local rem, resetAt = tonumber(xa), now + tonumber(xb)
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
end
