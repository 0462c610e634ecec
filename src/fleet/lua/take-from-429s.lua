-- Included in TAKE when no reported window is in force (the fleet's quota learned from 429s; the same model as
-- quota/from-429s.ts). Runs once the blind cap let the grant go, before it is counted; `now`, `n` and KEYS are set.
-- Returns a refusal while the learned window is spent.
local L = redis.call('HMGET', KEYS[1], 'lim', 'conf', 'wst', 'wms', 'used', 'clean', 'epAt', 'wv', 'probe', 'probeAt', 'rolls', 'gap', 'gapn', 'wid')
if not L[7] then redis.call('HSET', KEYS[1], 'epAt', now) end
local lim = tonumber(L[1])
if lim then
  local conf, wst, wms, used, clean = L[2] == '1', tonumber(L[3]), tonumber(L[4]), tonumber(L[5]), tonumber(L[6]) or 0
  local verified, probe = L[8] == '1', L[9]
  local gap, since, wid = tonumber(L[12]) or 1, tonumber(L[13]) or 0, L[14] == '1'
  if now >= wst + wms then
    if not conf then
      lim = nil -- one window passed and no 429 confirmed it: a one-off
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
      redis.call('HSET', KEYS[1], 'lim', lim, 'clean', clean, 'wst', wst + ended * wms, 'used', 0, 'wv', 0, 'rolls', (tonumber(L[11]) or 0) + ended,
        'gap', gap, 'gapn', since, 'wid', wid and 1 or 0)
      redis.call('HDEL', KEYS[1], 'probe')
      used, verified, probe = 0, false, nil
    else
      redis.call('HDEL', KEYS[1], 'lim', 'conf', 'clean', 'test', 'probe', 'gap', 'gapn', 'wid')
    end
    redis.call('HSET', KEYS[1], 'ep', n, 'ok', 0)
  end
  if lim then
    if used >= (conf and lim or lim + 1) then return {0, wst + wms - now, 4} end
    if not verified then
      -- A window this ledger's estimate started: one probe first, the rest once it went through.
      if probe and now - tonumber(L[10]) < {{PROBE_MS}} then return {0, 0, 3} end
      redis.call('HSET', KEYS[1], 'probe', n, 'probeAt', now)
    end
    if not conf and used == lim then redis.call('HSET', KEYS[1], 'test', n) end
    redis.call('HINCRBY', KEYS[1], 'used', 1)
  end
end
