--[[
  Remembers that a payer gave money (a deposit or transfer) to a wallet, so that when a wallet is
  flagged, the wallets its donors already paid can be found (the replacement relation must not depend
  on which of the two wallets was seen first). Bounded: the newest `cap` wallets per payer, and the
  key expires with the donor memory.

  KEYS[1] payees  ZSET  walletId -> event time of the payer's latest gift to it
  ARGV[1] walletId
  ARGV[2] event time, epoch ms
  ARGV[3] cap (wallets kept per payer)
  ARGV[4] time-to-live, ms

  Returns 1.
]]
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
if redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[3]) then redis.call('ZPOPMIN', KEYS[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
