-- Included by TAKE and DONE: `one()` grants one dispatch, or says why not. The shared ARGV (both scripts):
-- 1 keep (ms), 2 expiration (ms), 3 the longest wait for a wake (ms), 4 mode ('0' a check that counts nothing,
-- '1' counted against the quota, '2' counted for concurrency and spacing only: quota: false), 5 blind cap,
-- 6 a probe's lease (ms), 7 how many grants are wanted, 8 the fleet's maxConcurrent (0: none), 9 its minTime
-- (ms), 10 the asking process' id ('' for one that is never woken), 11 how far ahead a start may be reserved
-- (ms), 12 '1' on a Redis Cluster (see wake.lua's tell). A grant is {1, entry, delay until its reserved start,
-- probe token or ''}; a refusal {0, wait, reason, age}: 1 paused, 2 the reported quota spent, 3 waiting for
-- answers, 4 the learned quota spent, 5 down, 6 spaced (minTime). Reason 3's wait is filled in by the caller (a
-- wake ends it).
local function one()
  local q = redis.call('HMGET', KEYS[1], 'pause', 'n', 'rem', 'reset', 'rp', 'rpAt', 'nx', 'e')
  local pause = tonumber(q[1])
  if pause and now < pause then return {0, pause - now, 1} end
  --#include health-take
  if ARGV[4] == '0' then
    if not probing then return {1, '', 0, ''} end
    local token = 'c' .. redis.call('HINCRBY', KEYS[1], 'hpn', 1)
    --#include health-mark
    return {1, '', 0, token}
  end
  local open = redis.call('ZCARD', KEYS[2])
  local mc = tonumber(ARGV[8])
  if mc > 0 and open >= mc then return {0, 0, 3} end
  -- minTime: each grant reserves its start; one further ahead than the horizon waits (a timer, no wake).
  local mt, start = tonumber(ARGV[9]), now
  if mt > 0 then
    start = math.max(now, tonumber(q[7]) or 0)
    if start - now > tonumber(ARGV[11]) then return {0, start - now - tonumber(ARGV[11]), 6} end
  end
  local n, rem, reset = tonumber(q[2]) or 0, tonumber(q[3]), tonumber(q[4])
  if ARGV[4] == '1' then
    if reset and now < reset then
      if rem - open <= 0 then
        if rem <= 0 then return {0, reset - now, 2} end
        return {0, 0, 3}
      end
    elseif reset then
      if q[5] and now - tonumber(q[6]) < {{PROBE_MS}} then return {0, 0, 3} end
      redis.call('HSET', KEYS[1], 'rp', n, 'rpAt', now)
    else
      if open >= tonumber(ARGV[5]) then return {0, 0, 3} end
      --#include take-from-429s
    end
  end
  if mt > 0 then redis.call('HSET', KEYS[1], 'nx', start + mt) end
  local expires = now + tonumber(ARGV[2])
  -- The ledger's epoch (when it was created) ends every entry: an answer can tell it was granted by a ledger
  -- since lost (see settle.lua). A ledger created anew may have lost a wait list with it (FLUSHALL, keys deleted
  -- or evicted, a restart without persistence) whose processes wait for wakes that will not come: all of them
  -- are told to ask again, on the fleet's channel (once per ledger; nobody listens the first time). Not when a
  -- wait list is there (a ledger whose first grant follows a report): its processes are woken as usual, and
  -- telling them to ask again would only cost each a round trip.
  local epoch = q[8]
  if not epoch then
    epoch = now
    redis.call('HSET', KEYS[1], 'e', epoch)
    if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('PUBLISH', KEYS[3], 'w') end
  end
  local entry = n .. ':' .. expires .. ':' .. epoch
  redis.call('HSET', KEYS[1], 'n', n + 1)
  redis.call('ZADD', KEYS[2], expires, entry)
  local token = entry
  --#include health-mark
  return {1, entry, start - now, probing and token or ''}
end

-- Up to `k` grants in one step where nothing tells one grant from the next — no minTime reservation, no probe or
-- test, no outage, the ledger's epoch set, and a reported window in force, or nothing known yet and nothing learned
-- (the blind cap), or `quota: false`: one HSET and one ZADD for all of them, where one() takes five calls or more
-- each. Returns the entries granted, or nil when one() must decide (then nothing was granted here); what it cannot
-- grant is left to one(), which says why.
local function many(k)
  if k < 2 or ARGV[4] == '0' or tonumber(ARGV[9]) > 0 then return nil end
  local q = redis.call('HMGET', KEYS[1], 'pause', 'n', 'rem', 'reset', 'e', 'hdown', 'lim', 'epAt')
  if q[6] or not q[5] or (tonumber(q[1]) or 0) > now then return nil end
  local counted, reset = ARGV[4] == '1', tonumber(q[4])
  if counted then
    if reset then
      if now >= reset then return nil end -- the probe after a reset
    elseif q[7] or not q[8] then
      return nil -- a learned limit counts each grant; the first blind one starts its epoch
    end
  end
  local open = redis.call('ZCARD', KEYS[2])
  local mc = tonumber(ARGV[8])
  if mc > 0 then k = math.min(k, mc - open) end
  if counted then k = math.min(k, (reset and tonumber(q[3]) or tonumber(ARGV[5])) - open) end
  if k < 2 then return nil end
  local n, expires, entries, scored = tonumber(q[2]) or 0, now + tonumber(ARGV[2]), {}, {}
  for i = 0, k - 1 do
    local entry = (n + i) .. ':' .. expires .. ':' .. q[5]
    entries[#entries + 1] = entry
    scored[#scored + 1] = expires
    scored[#scored + 1] = entry
  end
  redis.call('HSET', KEYS[1], 'n', n + k)
  redis.call('ZADD', KEYS[2], unpack(scored))
  return entries
end
