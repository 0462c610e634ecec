// The quota a fleet learns from 429s alone (an API that sends only Retry-After), kept in the ledger's hash
// beside the reported quota, so every process counts against one estimate. It is LearnedQuota (quota/learned.ts)
// in Lua, with the fleet's grant numbers for the process' tickets: a grant's number (the `n` of its entry) says
// how many the fleet counted before it, whichever process counted it. Learning where the dispatches are
// counted, not in each process from the 429s it heard, is the point: a process whose requests all got through
// the last 429 event learned nothing on its own and sent freely into the next window (bench P6).
//
// Fields (in the ledger's hash): lim, conf (1 once a second 429 confirmed lim), wst and wms (the window's start
// and length, Redis ms), used (grants sent in this window), clean (saturated windows without a 429 since), test
// (the grant sent beyond a provisional limit, to test it), ep (the first grant number of the counting epoch),
// ok (its grants answered with success), epAt (its first grant's time), pend (the last 429 event's pause end),
// pep and pe (the grant numbers of the epoch that event ended, whose late successes still count), wv (1 when
// the window is known to have started: at a pause's end, or once its probe went through), probe and probeAt
// (the grant probing a window the estimate started), rolls (windows the estimate started since the last event).
//
// The limit is what the API accepted, counted by answers: grants are numbered when counted, before the
// limiter's queue, and some are given back unsent (the gate closed while they waited), so a grant's number
// overstates what was sent by as many (measured: a learned limit of 67 for a quota of 60).

import { PROBE_MS } from '../quota/tracker.js';

/** Clean, saturated windows after which a learned limit is forgotten (as FORGET_AFTER in quota/learned.ts). */
const FORGET_AFTER = 8;

/**
 * Runs in TAKE when no reported window is in force, once the blind cap let the grant go, before it is counted:
 * `now`, `n` (this grant's number) and KEYS are set. Returns a refusal while the learned window is spent.
 */
export const LEARNED_TAKE = `
local L = redis.call('HMGET', KEYS[1], 'lim', 'conf', 'wst', 'wms', 'used', 'clean', 'epAt', 'wv', 'probe', 'probeAt', 'rolls')
if not L[7] then redis.call('HSET', KEYS[1], 'epAt', now) end
local lim = tonumber(L[1])
if lim then
  local conf, wst, wms, used, clean = L[2] == '1', tonumber(L[3]), tonumber(L[4]), tonumber(L[5]), tonumber(L[6]) or 0
  local verified, probe = L[8] == '1', L[9]
  if now >= wst + wms then
    if not conf then
      lim = nil -- one window passed and no 429 confirmed it: a one-off
    elseif used > lim - 1 then
      clean = clean + 1
      lim = lim + 1 -- a saturated window without a 429: widen by one
      if clean >= ${FORGET_AFTER} then lim = nil end
    end
    if lim then
      local ended = math.floor((now - wst) / wms)
      redis.call('HSET', KEYS[1], 'lim', lim, 'clean', clean, 'wst', wst + ended * wms, 'used', 0, 'wv', 0, 'rolls', (tonumber(L[11]) or 0) + ended)
      redis.call('HDEL', KEYS[1], 'probe')
      used, verified, probe = 0, false, nil
    else
      redis.call('HDEL', KEYS[1], 'lim', 'conf', 'clean', 'test', 'probe')
    end
    redis.call('HSET', KEYS[1], 'ep', n, 'ok', 0)
  end
  if lim then
    if used >= (conf and lim or lim + 1) then return {0, wst + wms - now, 4} end
    if not verified then
      -- A window this ledger's estimate started: one probe first, the rest once it went through.
      if probe and now - tonumber(L[10]) < ${PROBE_MS} then return {0, tonumber(ARGV[3]), 3} end
      redis.call('HSET', KEYS[1], 'probe', n, 'probeAt', now)
    end
    if not conf and used == lim then redis.call('HSET', KEYS[1], 'test', n) end
    redis.call('HINCRBY', KEYS[1], 'used', 1)
  end
end
`;

/**
 * Runs in DONE for a grant answered without rate-limit headers: ARGV[2] = 'x' for a 429 naming ARGV[3] ms
 * (Retry-After), 's' for a success, 'u' for a grant given back unsent, nothing for a failure without an
 * answer. `now` and the grant's number `g` are set.
 */
export const LEARNED_DONE = `
local L = redis.call('HMGET', KEYS[1], 'lim', 'conf', 'wms', 'pend', 'ep', 'pep', 'pe', 'epAt', 'n', 'test', 'ok', 'probe', 'wv', 'rolls', 'used')
local lim, pend, ep, probe = tonumber(L[1]), tonumber(L[4]), tonumber(L[5]) or 0, tonumber(L[12])
if ARGV[2] == 's' then
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
if ARGV[2] ~= 'x' then
  -- Given back unsent ('u'), or failed without an answer: a probe lets the next grant probe instead.
  if g == probe then redis.call('HDEL', KEYS[1], 'probe') end
  if ARGV[2] == 'u' and lim and g >= ep and (tonumber(L[15]) or 0) > 0 then
    redis.call('HINCRBY', KEYS[1], 'used', -1)
  end
  return 0
end
if (pend and now < pend) or g < ep then return 0 end -- a sibling of the last event, or a late answer from before it
local ra = tonumber(ARGV[3])
local stop = now + ra
local n = tonumber(L[9]) or 0
local wms
if lim and pend and L[13] ~= '1' then
  -- Refused in a window the estimate started, before anything went through: the window is longer than
  -- thought. The limit stands (it was never tested in this window); only a window that began at a pause's
  -- end, or whose probe went through, can lower it.
  wms = math.max(tonumber(L[3]), math.floor((stop - pend) / math.max(1, tonumber(L[14]) or 1)))
elseif not lim or not pend then
  lim = math.max(1, tonumber(L[11]) or 0)
  wms = math.max(ra, stop - (tonumber(L[8]) or now), 1)
  redis.call('HSET', KEYS[1], 'conf', 0)
else
  lim = math.max(1, tonumber(L[11]) or 0)
  local span = stop - pend
  wms = L[2] == '1' and math.min(tonumber(L[3]), span) or span
  redis.call('HSET', KEYS[1], 'conf', 1)
end
redis.call('HSET', KEYS[1], 'lim', lim, 'wms', wms, 'clean', 0, 'pend', stop, 'wst', stop, 'used', 0, 'pep', ep, 'pe', n, 'ep', n, 'ok', 0, 'wv', 1, 'rolls', 0)
redis.call('HDEL', KEYS[1], 'epAt', 'test', 'probe')
return 1
`;
