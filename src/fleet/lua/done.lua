-- DONE: counted dispatches were answered (or never sent), and the same process may ask for more in the same
-- round trip. ARGV 1–12 as TAKE's (ARGV[7] 0: ask for nothing), then from 13 one group of four per answer, in
-- the order they came: the grant's entry ('' none), kind, and its two numbers (see settle.lua). A process sends
-- the answers that came while its last DONE was on its way in one. Wakes listed processes when room is left.
-- Replies as TAKE.
--#include now
--#include take-one
--#include settle
--#include wake
for i = 13, #ARGV - 3, 4 do
  if ARGV[i] ~= '' or ARGV[i + 1] == 'r' then settle(ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]) end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local reply = {0, {}, '', 0, 0, 0, 0}
if tonumber(ARGV[7]) > 0 then reply = take() end
wake()
return reply
