-- Included in DONE for a grant answered without rate-limit headers: kind = 'x' for a 429 naming xa ms,
-- 's' a success, 'u' a grant given back unsent, nothing for a failure without an answer. `now`, `g` are set.
local L = redis.call('HMGET', KEYS[1], 'lim', 'conf', 'wms', 'pend', 'ep', 'pep', 'pe', 'epAt', 'n', 'test', 'ok', 'probe', 'wv', 'rolls', 'used', 'gap', 'wid')
local lim, pend, ep, probe = tonumber(L[1]), tonumber(L[4]), tonumber(L[5]) or 0, tonumber(L[12])
if kind == 's' then
  if g == probe then
    redis.call('HSET', KEYS[1], 'wv', 1) -- the window did start: the rest may go
    redis.call('HDEL', KEYS[1], 'probe')
  end
  if g >= ep then
    redis.call('HINCRBY', KEYS[1], 'ok', 1)
  elseif lim and g >= (tonumber(L[6]) or 0) and g < (tonumber(L[7]) or 0) then
    redis.call('HINCRBY', KEYS[1], 'lim', 1) -- in flight when the event came, and still accepted in its window
  end
  -- The provisional limit's test went through: the API takes at least one more; the next grant tests again.
  if lim and L[2] ~= '1' and g == tonumber(L[10]) then
    redis.call('HINCRBY', KEYS[1], 'lim', 1)
    redis.call('HDEL', KEYS[1], 'test')
  end
  return 0
end
if kind ~= 'x' then
  -- Given back unsent ('u'), or failed without an answer: a probe lets the next grant probe instead.
  if g == probe then redis.call('HDEL', KEYS[1], 'probe') end
  if kind == 'u' and lim and g >= ep and (tonumber(L[15]) or 0) > 0 then
    redis.call('HINCRBY', KEYS[1], 'used', -1)
  end
  return 0
end
if (pend and now < pend) or g < ep then return 0 end -- a sibling of the last event, or a late answer from before it
local ra = tonumber(xa)
local stop = now + ra
local n = tonumber(L[9]) or 0
local wms, gap = nil, tonumber(L[16]) or 1
if lim and pend and L[13] ~= '1' then
  -- Refused in a window the estimate started, before anything went through: the window is longer than
  -- thought. The limit stands (it was never tested in this window); only a window that began at a pause's
  -- end, or whose probe went through, can lower it.
  wms = math.max(tonumber(L[3]), math.floor((stop - pend) / math.max(1, tonumber(L[14]) or 1)))
elseif not lim or not pend then
  lim, gap = math.max(1, tonumber(L[11]) or 0), 1
  wms = math.max(ra, stop - (tonumber(L[8]) or now), 1)
  redis.call('HSET', KEYS[1], 'conf', 0)
else
  lim = math.max(1, tonumber(L[11]) or 0)
  local span = stop - pend
  wms = L[2] == '1' and math.min(tonumber(L[3]), span) or span
  -- Refused one beyond a limit (a widening, or a provisional limit's test): wait longer before the next.
  if L[17] == '1' or L[2] ~= '1' then gap = math.min({{MAX_WIDEN_GAP}}, gap * 2) end
  redis.call('HSET', KEYS[1], 'conf', 1)
end
redis.call('HSET', KEYS[1], 'lim', lim, 'wms', wms, 'clean', 0, 'pend', stop, 'wst', stop, 'used', 0, 'pep', ep, 'pe', n, 'ep', n, 'ok', 0, 'wv', 1, 'rolls', 0,
  'gap', gap, 'gapn', 0, 'wid', 0)
redis.call('HDEL', KEYS[1], 'epAt', 'test', 'probe')
return 1
