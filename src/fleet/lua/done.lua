-- DONE: a counted dispatch was answered (or never sent), and the same process may ask for more in the same
-- round trip. ARGV 1–11 as TAKE's (ARGV[7] 0: ask for nothing), then 12 the grant's entry ('' none), 13 kind,
-- 14/15 its numbers (see settle.lua). Wakes listed processes when room is left. Replies as TAKE.
--#include now
--#include take-one
--#include settle
--#include wake
if ARGV[12] ~= '' or ARGV[13] == 'r' then settle(ARGV[12], ARGV[13], ARGV[14], ARGV[15]) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local reply = {0, {}, '', 0, 0, 0, 0}
if tonumber(ARGV[7]) > 0 then reply = take() end
wake()
return reply
