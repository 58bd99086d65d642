-- Takes a wallet off the watchlist as of a time: every mention listed until then goes, a later one
-- stays, and the time is kept so a replayed older mention is not listed again.
-- KEYS[1] listed wallets (zset: walletId by its earliest listing ms)
-- KEYS[2] the wallet's mentions (hash: mentionId -> JSON with listedAtMs)
-- KEYS[3] removals (hash: walletId -> ms of its latest removal)
-- ARGV[1] walletId  ARGV[2] removal ms
-- return the number of mentions removed
local at = tonumber(ARGV[2])
local prior = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '-1')
if at > prior then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
end
local fields = redis.call('HGETALL', KEYS[2])
local removed = 0
local earliest = nil
for i = 1, #fields, 2 do
  local listed = tonumber(cjson.decode(fields[i + 1]).listedAtMs)
  if listed <= at then
    redis.call('HDEL', KEYS[2], fields[i])
    removed = removed + 1
  elseif earliest == nil or listed < earliest then
    earliest = listed
  end
end
if earliest == nil then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], earliest, ARGV[1])
end
return removed
