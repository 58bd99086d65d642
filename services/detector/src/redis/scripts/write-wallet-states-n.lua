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

  KEYS[i]        record  STRING  the wallet state record, fg:{w:<walletId>}
  ARGV[2i - 1]   the new record, or the append; its header carries the version the writer loaded + 1
                 (the writer loaded version 0 when there was no record)
  ARGV[2i]       time-to-live, ms (a positive integer); 0 for an append: the stored expiry stays

  Returns one code per key: 0 written, 1 the stored version is not the one the writer loaded (a
  concurrent writer: reload and re-apply), 2 the stored value has no readable header, 3 the new record
  has no readable header, 4 an append to no record, or of an unknown format.
]]
local WRITTEN, CONFLICT, STORED_UNREADABLE, BAD_HEADER, BAD_APPEND = 0, 1, 2, 3, 4
local SNAPSHOT, JOURNAL = 1, 2

local function versionOf(header)
  if #header < 7 then return nil end
  local a, b, c, d, e, f = string.byte(header, 2, 7)
  return ((((a * 256 + b) * 256 + c) * 256 + d) * 256 + e) * 256 + f
end

local function write(key, record, ttl)
  local version = versionOf(record)
  if version == nil or version < 1 then return BAD_HEADER end
  local expected = version - 1
  local stored = redis.call('GETRANGE', key, 0, 6)
  local current = 0
  if stored ~= '' then
    current = versionOf(stored)
    if current == nil then return STORED_UNREADABLE end
  end
  if current ~= expected then return CONFLICT end
  local format = string.byte(record, 1)
  if format == SNAPSHOT then
    redis.call('SET', key, record, 'PX', ttl)
  elseif format == JOURNAL and current > 0 then
    redis.call('SETRANGE', key, 0, string.sub(record, 1, 7))
    redis.call('APPEND', key, string.sub(record, 8))
    if ttl ~= '0' then redis.call('PEXPIRE', key, ttl) end
  else
    return BAD_APPEND
  end
  return WRITTEN
end

local replies = {}
for i = 1, #KEYS do
  replies[i] = write(KEYS[i], ARGV[2 * i - 1], ARGV[2 * i])
end
return replies
