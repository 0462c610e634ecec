-- Included in TAKE where a request is granted: the probe of a down fleet is marked (its token, its lease), and
-- the state's life is extended by that lease. `token` is set.
if probing then
  local lease = tonumber(ARGV[6])
  redis.call('HSET', KEYS[1], 'hprobe', token, 'hpuntil', now + lease)
  redis.call('HINCRBY', KEYS[1], 'hprobes', 1)
  local hexp = tonumber(redis.call('HGET', KEYS[1], 'hexp'))
  if hexp < now + lease then redis.call('HSET', KEYS[1], 'hexp', now + lease) end
end
