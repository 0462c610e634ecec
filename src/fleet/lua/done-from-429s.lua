-- Included in DONE for a grant answered without rate-limit headers: kind = 'x' for a 429 naming xa ms,
-- 's' a success, 'u' a grant given back unsent, nothing for a failure without an answer. `now`, `g`, `entry` are set.
local L = redis.call('HMGET', KEYS[1], 'lim', 'conf', 'wms', 'pend', 'ep', 'pep', 'pe', 'epAt', 'n', 'test', 'ok', 'probe', 'wv', 'rolls', 'used', 'gap', 'wid', 'rtt', 'bf')
local lim, pend, ep, probe = tonumber(L[1]), tonumber(L[4]), tonumber(L[5]) or 0, tonumber(L[12])
-- While the limit is provisional, and for the 429 that gives it, a grant's round trip with little else in flight
-- (as quota/tracker.ts keeps it): down at once to a shorter one, up by an eighth of a longer one.
if (kind == 's' and lim and L[2] ~= '1') or kind == 'x' then
  local rtt = math.max(0, now + tonumber(ARGV[2]) - tonumber(string.match(entry, '^%d+:(%d+):')))
  local known = tonumber(L[18])
  if known and rtt > known then rtt = known + (rtt - known) / 8 end
  redis.call('HSET', KEYS[1], 'rtt', math.floor(rtt))
end
if kind == 's' then
  if g == probe then
    redis.call('HSET', KEYS[1], 'wv', 2, 'sv', tonumber(L[15]) or 0) -- the API's window did roll over: the rest may go
    redis.call('HDEL', KEYS[1], 'probe', 'bf')
  end
  if g >= ep then
    redis.call('HINCRBY', KEYS[1], 'ok', 1)
  elseif lim and g >= (tonumber(L[6]) or 0) and g < (tonumber(L[7]) or 0) then
    redis.call('HINCRBY', KEYS[1], 'lim', 1) -- in flight when the event came, and still accepted in its window
  end
  -- The provisional limit's test went through: the API takes at least one more; the next grant tests again.
  if lim and L[2] ~= '1' and g == tonumber(L[10]) then
    redis.call('HINCRBY', KEYS[1], 'lim', 1)
    redis.call('HSET', KEYS[1], 'tok', 1)
    redis.call('HDEL', KEYS[1], 'test')
  end
  return 0
end
if kind ~= 'x' then
  -- Given back unsent ('u'), or failed without an answer: a probe lets the next grant probe instead.
  if g == probe then redis.call('HDEL', KEYS[1], 'probe') end
  if kind == 'u' and lim and g >= ep and (tonumber(L[15]) or 0) > 0 then
    redis.call('HINCRBY', KEYS[1], 'used', -1)
    redis.call('HINCRBY', KEYS[1], 'sv', -1)
    if g == tonumber(L[19]) then redis.call('HDEL', KEYS[1], 'bf') end
  end
  return 0
end
if (pend and now < pend) or g < ep then return 0 end -- a sibling of the last event, or a late answer from before it
local ra = tonumber(xa)
local stop = now + ra
local n = tonumber(L[9]) or 0
local wms, gap = nil, tonumber(L[16]) or 1
if lim and pend and ((L[13] == '0' and L[19] and g >= tonumber(L[19])) or (L[13] == '2' and (tonumber(L[11]) or 0) < lim / 2)) then
  -- Refused past the limit in a window the estimate started, before it was known to have started — or in one
  -- its probe opened, having taken less than half the limit (the probe was the old window's last place, when
  -- the limit is below the API's): the window is longer than thought. The limit stands; refused within it in a
  -- window the estimate started, or at a pause's end, the API takes fewer (below). The probe was the widened-to
  -- grant: the widening may be what was refused — back to the limit before it, and longer until the next.
  wms = math.max(tonumber(L[3]), math.floor((stop - pend) / math.max(1, tonumber(L[14]) or 1)))
  if L[17] == '1' then lim, gap = lim - 1, math.min({{MAX_WIDEN_GAP}}, gap * 2) end
elseif not lim or not pend then
  lim, gap = math.max(1, tonumber(L[11]) or 0), 1
  wms = math.max(ra, stop - (tonumber(L[8]) or now), 1)
  redis.call('HSET', KEYS[1], 'conf', 0)
else
  lim = math.max(1, tonumber(L[11]) or 0)
  -- A provisional limit kept past its first window has rolled over since.
  local span = stop - pend
  wms = L[2] == '1' and math.min(tonumber(L[3]), span) or math.floor(span / ((tonumber(L[14]) or 0) + 1))
  -- Refused one beyond a limit (a widening, or a provisional limit's test): wait longer before the next.
  if L[17] == '1' or L[2] ~= '1' then gap = math.min({{MAX_WIDEN_GAP}}, gap * 2) end
  redis.call('HSET', KEYS[1], 'conf', 1)
end
redis.call('HSET', KEYS[1], 'lim', lim, 'wms', wms, 'clean', 0, 'pend', stop, 'wst', stop, 'used', 0, 'pep', ep, 'pe', n, 'ep', n, 'ok', 0, 'wv', 1, 'rolls', 0,
  'gap', gap, 'gapn', 0, 'wid', 0, 'sv', 0)
redis.call('HDEL', KEYS[1], 'epAt', 'test', 'probe', 'tok', 'bf')
return 1
