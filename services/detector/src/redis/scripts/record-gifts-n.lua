--[[
  Remembers that payers gave money (a deposit or transfer) to wallets, so that when a wallet is
  flagged, the wallets its donors already paid can be found (the replacement relation must not depend
  on which of the two wallets was seen first). Bounded: the newest `cap` wallets per payer, and each
  key expires with the donor memory. Many gifts in one call (the keys of one call share a slot on a
  Redis Cluster); a payer may appear more than once.

  KEYS[i]          payees  ZSET  walletId -> event time of the payer's latest gift to it
  ARGV[1]          cap (wallets kept per payer)
  ARGV[2]          time-to-live, ms
  ARGV[2i + 1]     walletId of gift i
  ARGV[2i + 2]     event time of gift i, epoch ms

  Returns the number of gifts recorded.
]]
local cap = tonumber(ARGV[1])
local ttl = ARGV[2]
for i = 1, #KEYS do
  local key = KEYS[i]
  -- Only a new member can take the set past the cap (ZADD GT without CH counts the added ones).
  if redis.call('ZADD', key, 'GT', ARGV[2 * i + 2], ARGV[2 * i + 1]) == 1 and redis.call('ZCARD', key) > cap then
    redis.call('ZPOPMIN', key)
  end
  redis.call('PEXPIRE', key, ttl)
end
return #KEYS
