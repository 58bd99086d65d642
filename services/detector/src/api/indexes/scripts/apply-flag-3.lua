-- Keeps the furthest state of one analyst flag, whatever order its audit records arrive in
-- (requested/recorded < approved/rejected < revoked), and the approval queue in step with it.
-- KEYS[1] the flag (hash: rank, json)
-- KEYS[2] the wallet's flags (zset: flagId by createdAt ms)
-- KEYS[3] the approval queue (zset: flagId by createdAt ms)
-- ARGV[1] flagId  ARGV[2] rank of the action  ARGV[3] the flag JSON after the action
-- ARGV[4] createdAt ms  ARGV[5] "1" when the flag waits for approval, else "0"
-- return 1 when the flag changed, 0 when the index already held this state or a later one
local held = tonumber(redis.call('HGET', KEYS[1], 'rank') or '0')
if held >= tonumber(ARGV[2]) then
  return 0
end
redis.call('HSET', KEYS[1], 'rank', ARGV[2], 'json', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
if ARGV[5] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
else
  redis.call('ZREM', KEYS[3], ARGV[1])
end
return 1
