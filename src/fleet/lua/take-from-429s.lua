-- Included in TAKE when no reported window is in force (the fleet's quota learned from 429s; the same model as
-- quota/from-429s.ts). Runs once the blind cap let the grant go, before it is counted; `now`, `n` and KEYS are set.
-- Returns a refusal while the learned window is spent.
local L = redis.call('HMGET', KEYS[1], 'lim', 'conf', 'wst', 'wms', 'used', 'clean', 'epAt', 'wv', 'probe', 'sv', 'rolls', 'gap', 'gapn', 'wid', 'tok', 'rtt', 'bf')
if not L[7] then redis.call('HSET', KEYS[1], 'epAt', now) end
local lim = tonumber(L[1])
if lim then
  local conf, wst, wms, used, clean = L[2] == '1', tonumber(L[3]), tonumber(L[4]), tonumber(L[5]), tonumber(L[6]) or 0
  local verified = L[8] ~= '0' -- 1: it began at a pause's end; 2: its probe went through
  local gap, since, wid = tonumber(L[12]) or 1, tonumber(L[13]) or 0, L[14] == '1'
  if now >= wst + wms then
    if not conf then
      -- One window passed and no 429 confirmed the limit: its test went through (a one-off 429), or the window
      -- ended before the test went (too little demand, or a slow API), and the limit holds for another.
      if used > lim or L[15] then lim = nil end
    elseif used > lim - 1 then
      -- A saturated window without a 429; one at a widened limit brings the gap back to one window.
      clean, since = clean + 1, since + 1
      if wid then gap = 1 end
      wid = since >= gap
      if wid then lim, since = lim + 1, 0 end -- widen by one
      if clean >= {{FORGET_AFTER}} then lim = nil end
    end
    if lim then
      local ended = math.floor((now - wst) / wms)
      wst = wst + ended * wms
      redis.call('HSET', KEYS[1], 'lim', lim, 'clean', clean, 'wst', wst, 'used', 0, 'wv', 0, 'rolls', (tonumber(L[11]) or 0) + ended,
        'gap', gap, 'gapn', since, 'wid', wid and 1 or 0)
      redis.call('HDEL', KEYS[1], 'probe', 'tok')
      used, verified = 0, false
    else
      redis.call('HDEL', KEYS[1], 'lim', 'conf', 'clean', 'test', 'probe', 'gap', 'gapn', 'wid', 'tok')
    end
    redis.call('HSET', KEYS[1], 'ep', n, 'ok', 0)
  end
  if lim then
    if used >= (conf and lim or lim + 1) then return {0, wst + wms - now, 4} end
    -- Alone, as in quota/from-429s.ts (once what this window granted was answered, or granted PROBE_MS ago):
    -- - the probe of a window the estimate started, past the limit counted since the last window known to have
    --   started (one less after a widening); the rest once it went through;
    -- - past half a provisional limit, which may be twice the real one, each grant to the test, if twice that time
    --   fits in the part of the window surely the API's (the grants' round trip, answer less grant, for theirs).
    local sv, half = tonumber(L[10]) or 0, math.floor(lim / 2)
    local probing = not verified and sv >= (wid and lim - 1 or lim)
    if (probing or (not conf and used >= half and 2 * (lim + 2 - half) * (tonumber(L[16]) or 0) <= wms - {{ROUNDING_MS}}))
      and redis.call('ZCOUNT', KEYS[2], math.max(wst, now - {{PROBE_MS}}) + tonumber(ARGV[2]), '+inf') > 0 then
      return {0, 0, 3}
    end
    if probing then
      redis.call('HSET', KEYS[1], 'probe', n)
      if not L[17] then redis.call('HSET', KEYS[1], 'bf', n) end
    end
    if not conf and used == lim then redis.call('HSET', KEYS[1], 'test', n) end
    redis.call('HINCRBY', KEYS[1], 'used', 1)
    redis.call('HINCRBY', KEYS[1], 'sv', 1)
  end
end
