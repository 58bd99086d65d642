--[[
  Writes wallet state records, each by compare-and-set: a record is stored only if the stored one still
  has the version its writer loaded. Many records in one call (the keys of one call share a slot on a
  Redis Cluster; on a standalone Redis a chunk's records go in a few calls), each decided on its own.
  The version sits in the record's fixed header (state/wallet-state-codec.ts: byte 1 is the format,
  bytes 2-7 the version, unsigned big-endian), so only those 7 bytes are read (GETRANGE), never the
  whole value.

  A new record with format byte 1 is a whole snapshot and replaces the stored one. Format byte 2 is a
  journal append (state/wallet-journal.ts): its 7-byte header replaces the stored header and the rest is
  appended to the stored record, so only the new entries travel and are copied.

  KEYS[i]   record  STRING  the wallet state record, fg:{w:<walletId>}
  ARGV[1]   the records, in KEYS order, packed one after another (one argument, so a call of 200
            records is not 400 arguments for the client to frame and for Lua to intern), each:
              4 bytes   n, the record's length (unsigned big-endian)
              6 bytes   time-to-live, ms (unsigned big-endian); 0 for an append: the stored expiry stays
              n bytes   the new record, or the append; its header carries the version the writer loaded
                        + 1 (the writer loaded version 0 when there was no record)

  Returns one code per key: 0 written, 1 the stored version is not the one the writer loaded (a
  concurrent writer: reload and re-apply), 2 the stored value has no readable header (or is not a string), 3 the new record
  has no readable header, 4 an append to no record, or of an unknown format. A pack that does not hold
  one record per key is refused whole (an error, nothing written).
]]
local WRITTEN, CONFLICT, STORED_UNREADABLE, BAD_HEADER, BAD_APPEND = 0, 1, 2, 3, 4
local SNAPSHOT, JOURNAL = 1, 2

-- The 48-bit version in bytes 2-7 of a header starting at `at` of `bytes`.
local function versionAt(bytes, at)
  local a, b, c, d, e, f = string.byte(bytes, at + 1, at + 6)
  return ((((a * 256 + b) * 256 + c) * 256 + d) * 256 + e) * 256 + f
end

-- The record starts at `at` and has `n` bytes.
local function write(key, pack, at, n, ttl)
  if n < 7 then return BAD_HEADER end
  local version = versionAt(pack, at)
  if version < 1 then return BAD_HEADER end
  -- A key of another type (not a record at all) is as unreadable as a short one.
  local stored = redis.pcall('GETRANGE', key, 0, 6)
  if type(stored) ~= 'string' then return STORED_UNREADABLE end
  local current = 0
  if stored ~= '' then
    if #stored < 7 then return STORED_UNREADABLE end
    current = versionAt(stored, 1)
  end
  if current ~= version - 1 then return CONFLICT end
  local format = string.byte(pack, at)
  local last = at + n - 1
  if format == SNAPSHOT then
    redis.call('SET', key, string.sub(pack, at, last), 'PX', ttl)
  elseif format == JOURNAL and current > 0 then
    redis.call('SETRANGE', key, 0, string.sub(pack, at, at + 6))
    redis.call('APPEND', key, string.sub(pack, at + 7, last))
    if ttl ~= '0' then redis.call('PEXPIRE', key, ttl) end
  else
    return BAD_APPEND
  end
  return WRITTEN
end

-- Read the whole pack before writing anything: a malformed one writes nothing.
local pack = ARGV[1]
local starts, lengths, ttls = {}, {}, {}
local at = 1
for i = 1, #KEYS do
  if at + 9 > #pack then return redis.error_reply('ERR write-wallet-states: fewer records than keys') end
  local n1, n2, n3, n4 = string.byte(pack, at, at + 3)
  local t1, t2, t3, t4, t5, t6 = string.byte(pack, at + 4, at + 9)
  lengths[i] = ((n1 * 256 + n2) * 256 + n3) * 256 + n4
  ttls[i] = string.format('%.0f', ((((t1 * 256 + t2) * 256 + t3) * 256 + t4) * 256 + t5) * 256 + t6)
  starts[i] = at + 10
  at = starts[i] + lengths[i]
end
if at ~= #pack + 1 then return redis.error_reply('ERR write-wallet-states: the records do not fill the pack') end

local replies = {}
for i = 1, #KEYS do
  replies[i] = write(KEYS[i], pack, starts[i], lengths[i], ttls[i])
end
return replies
