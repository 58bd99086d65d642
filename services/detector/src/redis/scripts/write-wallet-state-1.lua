--[[
  Writes a wallet state record by compare-and-set: only if the stored record still has the version the
  writer loaded. The version sits in the record's fixed header (state/wallet-state-codec.ts: byte 1 is
  the format, bytes 2-7 the version, unsigned big-endian), so only those 7 bytes are read (GETRANGE),
  never the whole value.

  KEYS[1] record  STRING  the wallet state record, fg:{w:<walletId>}

  ARGV[1] the version the writer loaded (0: there was no record)
  ARGV[2] the new record, whose header carries version ARGV[1] + 1
  ARGV[3] time-to-live, ms (a positive integer)

  Returns 0 when written, 1 when the stored version is another (a concurrent writer: reload and
  re-apply), 2 when the stored value has no readable header, 3 when the new record's header does not
  carry ARGV[1] + 1.
]]
local WRITTEN, CONFLICT, STORED_UNREADABLE, BAD_HEADER = 0, 1, 2, 3

local function versionOf(header)
  if #header < 7 then return nil end
  local a, b, c, d, e, f = string.byte(header, 2, 7)
  return ((((a * 256 + b) * 256 + c) * 256 + d) * 256 + e) * 256 + f
end

local expected = tonumber(ARGV[1])
if versionOf(ARGV[2]) ~= expected + 1 then return BAD_HEADER end

local stored = redis.call('GETRANGE', KEYS[1], 0, 6)
local current = 0
if stored ~= '' then
  current = versionOf(stored)
  if current == nil then return STORED_UNREADABLE end
end
if current ~= expected then return CONFLICT end

redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return WRITTEN
