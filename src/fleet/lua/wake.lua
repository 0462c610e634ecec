-- Included by TAKE and DONE, after take-one and settle: the fleet's wait list. A process refused for want of
-- answers (reason 3), or for a spent window (2, 4), is listed once in KEYS[3] (scored by arrival) with its demand
-- in KEYS[4] ('d:<pid>'), and sleeps until woken: no process asks again on a timer. `room()` is what could be
-- granted now; `wake()` hands it to the longest-waiting processes, each by one PUBLISH to its own channel; a
-- process nobody listens on (it died) is skipped. A woken process ('w:<pid>') may take before those still listed.

-- What could be granted now; and when the window's quota is what is spent, when that window ends.
local function room()
  local q = redis.call('HMGET', KEYS[1], 'pause', 'rem', 'reset', 'rp', 'lim', 'used', 'hdown', 'conf', 'wst', 'wms')
  if (tonumber(q[1]) or 0) > now or q[7] then return 0 end
  local open, left = redis.call('ZCARD', KEYS[2]), 1e9
  local mc = tonumber(ARGV[8])
  if mc > 0 then left = mc - open end
  local reset = tonumber(q[3])
  if ARGV[4] == '1' then
    if reset and now < reset then
      if tonumber(q[2]) <= 0 then return 0, reset end
      left = math.min(left, tonumber(q[2]) - open)
    elseif reset then left = q[4] and 0 or math.min(left, 1)
    elseif q[5] then
      -- The learned quota (take-from-429s.lua): a window that ended rolls over with its first grant, a probe.
      local ends = (tonumber(q[9]) or 0) + (tonumber(q[10]) or 0)
      if now >= ends then return math.min(left, 1) end
      local cap = tonumber(q[5]) + (q[8] == '1' and 0 or 1) - (tonumber(q[6]) or 0)
      if cap <= 0 then return 0, ends end
      left = math.min(left, cap)
    else left = math.min(left, tonumber(ARGV[5]) - open) end
  end
  return left
end

-- Tells a listed process, on its own channel; false when nobody listens there (the process died). On a Redis
-- Cluster (ARGV[12] '1') PUBLISH counts only this node's listeners while the bus carries the message to every
-- node, so a process listening on another node reads as 0: there every process is taken as listening, and a
-- dead one's grants lapse with their expiration instead.
local function tell(pid, message)
  return redis.call('PUBLISH', KEYS[3] .. ':' .. pid, message) > 0 or ARGV[12] == '1'
end

-- A window that ends frees room with no answer to wake anyone: the first in line that listens is told to ask
-- when it ends, at `ends` ('d' and the ms; the rest are woken by what its answer reports), unless one already is.
local function designate(ends)
  local s = redis.call('HMGET', KEYS[1], 'sw', 'swu')
  if s[1] and now < tonumber(s[2]) then return end
  for _, pid in ipairs(redis.call('ZRANGE', KEYS[3], 0, 2)) do
    if tell(pid, 'd' .. (ends - now)) then
      redis.call('HSET', KEYS[1], 'sw', pid, 'swu', ends)
      return
    end
    redis.call('ZREM', KEYS[3], pid) -- nobody listens there (it died)
    redis.call('HDEL', KEYS[4], 'd:' .. pid)
  end
end

-- Hands what room there is to the longest-waiting processes: each gets the grants it waits for, as far as the
-- rules allow (one() decides, as for an ask), in one PUBLISH on its own channel — 'g' (or 'h' when it stays
-- listed for more) and `entry,delay` pairs joined by ';'. A process nobody listens on (it died) gets nothing: its
-- grants are given back at once, and it leaves the list. When the hand-outs spend the window, the first still in
-- line is designated to ask at its end (nobody else would ask before the lost-wake timer).
local function wake()
  local left, spent = room()
  local woken = 0
  while left > 0 and woken < 64 and not spent do
    local head = redis.call('ZPOPMIN', KEYS[3])
    if #head == 0 then break end
    local pid = head[1]
    local demand = tonumber(redis.call('HGET', KEYS[4], 'd:' .. pid)) or 1
    redis.call('HDEL', KEYS[4], 'd:' .. pid)
    local handed, entries, stop = {}, {}, false
    for _, entry in ipairs(many(math.min(demand, left)) or {}) do
      entries[#entries + 1] = entry
      handed[#handed + 1] = entry .. ',0'
    end
    for _ = #entries + 1, math.min(demand, left) do
      local x = one()
      if x[1] ~= 1 then
        stop = true
        if x[3] == 2 or x[3] == 4 then spent = now + x[2] end
        break
      end
      entries[#entries + 1] = x[2]
      handed[#handed + 1] = x[2] .. ',' .. x[3]
    end
    if #handed == 0 then
      -- Nothing could be granted after all: it keeps its place.
      redis.call('ZADD', KEYS[3], head[2], pid)
      redis.call('HSET', KEYS[4], 'd:' .. pid, demand)
      break
    end
    -- 'g': served in full, off the list; 'h': part of it, still listed for the rest.
    local kind = #handed < demand and 'h' or 'g'
    if tell(pid, kind .. table.concat(handed, ';')) then
      left, woken = left - #handed, woken + 1
      if #handed < demand then
        -- Handed part of what it waits for: it keeps its place for the rest.
        redis.call('ZADD', KEYS[3], head[2], pid)
        redis.call('HSET', KEYS[4], 'd:' .. pid, demand - #handed)
      else
        -- It was to ask when the window ends; served now, it will not: the next in line is told to instead.
        local s = redis.call('HMGET', KEYS[1], 'sw', 'swu')
        if s[1] == pid then
          redis.call('HDEL', KEYS[1], 'sw', 'swu')
          if tonumber(s[2]) > now then designate(tonumber(s[2])) end
        end
      end
    else
      for _, entry in ipairs(entries) do settle(entry, 'u', 0, 0) end
    end
    if stop then break end
  end
  if spent then designate(spent) end
end

-- Lists the process (at the front when it had been woken and still found no room), with what it still wants.
local function wait_listed(pid, want, front)
  local score = redis.call('HINCRBY', KEYS[1], 'ws', 1)
  if front then
    local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    score = first[2] and (tonumber(first[2]) - 1) or score
    redis.call('ZADD', KEYS[3], score, pid)
  else
    redis.call('ZADD', KEYS[3], 'NX', score, pid)
  end
  redis.call('HSET', KEYS[4], 'd:' .. pid, want)
end

-- TAKE's body: up to ARGV[7] grants for process ARGV[10]. Replies {granted, {entry, delay, …}, probe token,
-- wait, reason, age, designated}: a refusal of the rest follows the grants; `designated` (1) when this process is
-- the one that asks again at a spent window's end (the others are woken after it).
local function take()
  local want, pid = tonumber(ARGV[7]), ARGV[10]
  local grants, token, refusal = {}, '', nil
  local woken = false
  if pid ~= '' then
    woken = redis.call('HDEL', KEYS[4], 'w:' .. pid) == 1
    -- The process that was to ask when a window ended: asking then, it goes before those listed; asking sooner
    -- (woken), it gives the role up — a refusal below hands it to whoever is refused next.
    local s = redis.call('HMGET', KEYS[1], 'sw', 'swu')
    if s[1] == pid then
      redis.call('HDEL', KEYS[1], 'sw', 'swu')
      if now >= tonumber(s[2]) then woken = true end
    end
    -- While the fleet's API is down the line does not hold: the probe goes to whoever asks at its time.
    if not woken and not redis.call('HGET', KEYS[1], 'hdown') and redis.call('ZCARD', KEYS[3]) > 0
      and redis.call('ZRANK', KEYS[3], pid) ~= 0 then
      -- Others wait ahead of it. Room nobody is taking (a woken process died, or its wake found nothing left to
      -- send) goes to them now; this process may be among them.
      wake()
      woken = redis.call('HDEL', KEYS[4], 'w:' .. pid) == 1
      if not woken then
        -- Refused for its place in line; a spent window is said as such (the process reports the pause).
        local w = redis.call('HMGET', KEYS[1], 'rem', 'reset')
        local reset = tonumber(w[2])
        if ARGV[4] == '1' and reset and now < reset and tonumber(w[1]) <= 0 then refusal = {0, reset - now, 2}
        else refusal = {0, 0, 3} end
      end
    end
  end
  if not refusal then
    for _, entry in ipairs(many(want) or {}) do
      grants[#grants + 1] = entry
      grants[#grants + 1] = 0
    end
  end
  while not refusal and #grants < 2 * want do
    local x = one()
    if x[1] ~= 1 then refusal = x break end
    grants[#grants + 1] = x[2]
    grants[#grants + 1] = x[3]
    if x[4] ~= '' then token = x[4] break end -- a probe goes alone
  end
  local got = #grants / 2
  if got > 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    redis.call('PEXPIRE', KEYS[2], ARGV[1])
  end
  if not refusal then
    if pid ~= '' then
      redis.call('ZREM', KEYS[3], pid)
      redis.call('HDEL', KEYS[4], 'd:' .. pid)
    end
    return {got, grants, token, 0, 0, 0, 0}
  end
  local reason, wait, designated = refusal[3], refusal[2], 0
  if pid ~= '' and (reason == 2 or reason == 3 or reason == 4) and ARGV[4] ~= '0' then
    wait_listed(pid, want - got, woken)
    redis.call('PEXPIRE', KEYS[3], ARGV[1])
    redis.call('PEXPIRE', KEYS[4], ARGV[1])
    if reason == 3 then
      -- Until woken, or ARGV[3] (a wake that was lost). The first three in line also ask when the oldest
      -- unanswered dispatch lapses (a crashed process' share), 25 ms apart: the first's script hands what it
      -- frees to the rest, and when the first died too (it held the place a crash left), the next one asks.
      local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
      local rank = redis.call('ZRANK', KEYS[3], pid)
      wait = tonumber(ARGV[3])
      if rank and rank < 3 and first[2] then wait = math.max(1, math.min(wait, tonumber(first[2]) - now + 25 * rank)) end
    end
    -- A window that ends frees room with no answer to wake anyone: one process asks then, the rest are woken by
    -- what its answer reports.
    local q = redis.call('HMGET', KEYS[1], 'reset', 'wst', 'wms', 'sw', 'swu')
    local ends = tonumber(q[1])
    if not (ends and ends > now) and q[2] then ends = tonumber(q[2]) + tonumber(q[3]) end
    if ends and ends > now and (reason ~= 3 or ends - now < wait) then
      if not q[4] or q[4] == pid or now >= tonumber(q[5]) then
        redis.call('HSET', KEYS[1], 'sw', pid, 'swu', ends)
        designated, wait = 1, ends - now
      end
    end
  elseif pid == '' and reason == 3 then
    wait = tonumber(ARGV[3])
  end
  return {got, grants, token, wait, reason, refusal[4] or 0, designated}
end
