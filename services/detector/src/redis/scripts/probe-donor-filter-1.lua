--[[
  Probes the donor filter (a bitmap with one bit per hashed payer that has paid a flagged wallet) for
  every payer of a batch in one call, so the common case (nobody in the batch is a known donor) costs
  one command per batch instead of one per event.

  KEYS[1] filter  STRING bitmap
  ARGV    bit offsets, one per payer

  Returns the 1-based positions in ARGV whose bit is set (possible donors; false positives are
  resolved by the exact per-payer lookup that follows).
]]
local hits = {}
for i = 1, #ARGV do
  if redis.call('GETBIT', KEYS[1], ARGV[i]) == 1 then hits[#hits + 1] = i end
end
return hits
