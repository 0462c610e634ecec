-- DONE: a counted dispatch was answered (or never sent), and the same process may ask for more in the same
-- round trip. ARGV 1–12 as TAKE's (ARGV[7] 0: ask for nothing), then 13 the grant's entry ('' none), 14 kind,
-- 15/16 its numbers (see settle.lua). Wakes listed processes when room is left. Replies as TAKE.
--#include now
--#include take-one
--#include settle
--#include wake
if ARGV[13] ~= '' or ARGV[14] == 'r' then settle(ARGV[13], ARGV[14], ARGV[15], ARGV[16]) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local reply = {0, {}, '', 0, 0, 0, 0}
if tonumber(ARGV[7]) > 0 then reply = take() end
wake()
return reply
