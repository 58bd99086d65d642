-- Lists a wallet for one mention, once per mentionId, unless the wallet was removed from the
-- watchlist after this mention was listed (a replay must not bring a removed listing back).
-- KEYS[1] listed wallets (zset: walletId by its earliest listing ms)
-- KEYS[2] the wallet's mentions (hash: mentionId -> JSON with listedAtMs)
-- KEYS[3] removals (hash: walletId -> ms of its latest removal)
-- ARGV[1] walletId  ARGV[2] mentionId  ARGV[3] the mention JSON  ARGV[4] listedAt ms
-- return 1 when listed, 0 when the mention was already there or removed since
local removed = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '-1')
if tonumber(ARGV[4]) <= removed then
  return 0
end
if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[1], 'LT', ARGV[4], ARGV[1])
return 1
