--[[
  Applies one transaction to one wallet's velocity features, exactly once, and returns the wallet's
  current aggregates so the rules need no second read.

  Every key carries the wallet's hash tag, so the script runs unchanged on Redis Cluster. The script
  is on the hot path (once per event side): meta is read with one HMGET and written with one HSET,
  and sliding a window only reads the buckets that hold data (see "occupancy" below).

  KEYS[1] meta      HASH  first/last seen, opening time, lifetime stats, window sums, bucket occupancy
  KEYS[2] buckets   HASH  "<resolutionMs>:<bucketIndex>" -> "inCount,inSum,small,near,inMax,outCount,outSum"
  KEYS[3] payers    ZSET  inbound counterparty -> latest event time (capped, newest kept)
  KEYS[4] payees    ZSET  outbound counterparty -> latest event time (capped, newest kept)
  KEYS[5] seen      ZSET  eventId -> event time, the de-duplication index (trimmed to the horizon)
  KEYS[6] payerHll  HLL   every payer ever seen (lifetime distinct payers, ~0.81% standard error)
  KEYS[7] outbox    HASH  alerts decided but not yet acknowledged by Kafka (only read here)

  ARGV[1]  eventId
  ARGV[2]  event time, epoch ms
  ARGV[3]  direction: "in" (the wallet received) or "out" (the wallet paid)
  ARGV[4]  amount in base-currency minor units (integer)
  ARGV[5]  counterparty id (payer for "in", payee for "out")
  ARGV[6]  wallet opening time, epoch ms, or "" when the event does not say
  ARGV[7]  1 when the amount is "small" (at or below the configured bound), else 0
  ARGV[8]  1 when the amount is just below the reporting threshold, else 0
  ARGV[9]  de-duplication horizon, ms
  ARGV[10] key time-to-live, ms (a quiet wallet's keys expire after it)
  ARGV[11] counterparty cap (size bound of KEYS[3] and KEYS[4])
  ARGV[12] windows: "name:lengthMs:resolutionMs;..." (each length a multiple of its resolution, and
           no longer than its resolution's retention)
  ARGV[13] resolutions: "resolutionMs:retentionMs;..."
  ARGV[14] flagged wallets this payer already paid: "walletA,walletB" or ""

  Meta fields kept by this script: first, opened, last, ln/lmean/lm2 (Welford over inbound amounts),
  lout, hk (the event-time day of the last housekeeping), win ("start:v1,...,v7;..." per window, in
  ARGV[12] order), trim:<res> (lowest bucket index
  retained), occ:<res> (one character per bucket slot of the retention ring: "1" when that bucket
  holds data), ov:<wallet>/ovTop/ovTopN (payers shared with flagged wallets). flaggedAt is set by the
  application when the wallet is flagged.

  Returns a flat array:
    [1] status: 0 applied, 1 duplicate (nothing changed), 2 older than retention (lifetime stats only),
        3 older than the de-duplication horizon (nothing changed: it could not be told from a replay)
    [2] firstSeenMs [3] openedAtMs or -1 [4] lastEventMs
    [5] lifetime inbound count [6] lifetime inbound mean (string) [7] lifetime inbound M2 (string)
    [8] lifetime outbound count [9] payers held (-1 unless [11] names a wallet) [10] -1 (payees held:
        not needed by any rule; the REST view counts it)
    [11] top overlapping flagged wallet or "" [12] its overlapping payer count
    [13] 1 when an alert is waiting to be published, else 0
    [14] when the wallet was flagged, epoch ms, or -1
    then per window, in ARGV[12] order: inCount, inSum, small, near, inMax, outCount, outSum,
    distinctPayers, distinctPayees (-1 on an inbound update), windowStartMs
]]

local meta, buckets, payers, payees, seen, payerHll, outbox =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]

local eventId = ARGV[1]
local t = tonumber(ARGV[2])
local inbound = ARGV[3] == 'in'
local amount = tonumber(ARGV[4])
local counterparty = ARGV[5]
local openedAt = tonumber(ARGV[6])
local dedupHorizon = tonumber(ARGV[9])
local ttl = tonumber(ARGV[10])
local cap = tonumber(ARGV[11])

local FIELDS = 7 -- inCount, inSum, small, near, inMax, outCount, outSum
local MAX_FIELD = 5
local floor = math.floor

local function parseSpec(spec)
  local out = {}
  for a, b, c in string.gmatch(spec, '([^:;]+):([^:;]+):?([^:;]*)') do
    out[#out + 1] = {a, tonumber(b), tonumber(c)}
  end
  return out
end

local function unpackValues(packed)
  local v = {0, 0, 0, 0, 0, 0, 0}
  if packed then
    local i = 1
    for n in string.gmatch(packed, '[^,]+') do v[i] = tonumber(n); i = i + 1 end
  end
  return v
end

local function packValues(v)
  return table.concat(v, ',', 1, FIELDS)
end

local windows = parseSpec(ARGV[12])      -- {name, lengthMs, resolutionMs}
local resolutions = parseSpec(ARGV[13])  -- {resolutionMs (string), retentionMs}

-- One read of everything the script needs from meta.
local metaFields = {'last', 'first', 'opened', 'ln', 'lmean', 'lm2', 'lout', 'win', 'ovTop', 'ovTopN', 'flaggedAt', 'hk'}
for _, r in ipairs(resolutions) do
  metaFields[#metaFields + 1] = 'trim:' .. r[1]
  metaFields[#metaFields + 1] = 'occ:' .. r[1]
end
local m = redis.call('HMGET', meta, unpack(metaFields))

-- Window state: {startIndex or nil, values}
local windowState = {}
do
  local i = 1
  for st, packed in string.gmatch(m[8] or '', '([^:;]+):([^;]*)') do
    windowState[i] = {tonumber(st), unpackValues(packed)}
    i = i + 1
  end
end

local function snapshot(status, last, first, opened, ln, lmean, lm2, lout, ovTop, ovTopN, states)
  -- Counts only the rules read are computed; the rest are -1 (see the header). Each redis.call costs.
  local out = {
    status, first, opened, last, ln, lmean, lm2, lout,
    ovTop ~= '' and redis.call('ZCARD', payers) or -1, -1,
    ovTop, ovTopN, redis.call('EXISTS', outbox), tonumber(m[11]) or -1,
  }
  for wi, w in ipairs(windows) do
    local res = w[3]
    local state = states[wi]
    local startIdx = (state and state[1]) or (floor(last / res) - w[2] / res + 1)
    local v = (state and state[2]) or unpackValues(nil)
    local startMs = startIdx * res
    for i = 1, FIELDS do out[#out + 1] = v[i] end
    -- With at most one payment in the window, the distinct count is that count: no need to ask.
    out[#out + 1] = v[1] <= 1 and v[1] or redis.call('ZCOUNT', payers, startMs, '+inf')
    if inbound then
      out[#out + 1] = -1
    else
      out[#out + 1] = v[6] <= 1 and v[6] or redis.call('ZCOUNT', payees, startMs, '+inf')
    end
    out[#out + 1] = startMs
  end
  return out
end

local prevLast = tonumber(m[1])
local first = tonumber(m[2]) or t
local opened = tonumber(m[3]) or -1
local ln, lmean, lm2 = tonumber(m[4]) or 0, m[5] or '0', m[6] or '0'
local lout = tonumber(m[7]) or 0
local ovTop, ovTopN = m[9] or '', tonumber(m[10]) or 0

local unchanged = function(status)
  return snapshot(status, prevLast or t, first, opened, ln, lmean, lm2, lout, ovTop, ovTopN, windowState)
end

local last = prevLast or t
if t > last then last = t end
if t < last - dedupHorizon then return unchanged(3) end
-- De-duplication: ZADD NX adds the eventId unless it is already there (then this is a replay).
if redis.call('ZADD', seen, 'NX', t, eventId) == 0 then return unchanged(1) end

local metaOut = {'last', last}
if t < first or not m[2] then first = t end
metaOut[#metaOut + 1] = 'first'; metaOut[#metaOut + 1] = first
if openedAt then
  opened = openedAt
  metaOut[#metaOut + 1] = 'opened'; metaOut[#metaOut + 1] = openedAt
end

-- Lifetime statistics (Welford's running mean and M2 of inbound amounts).
if inbound then
  ln = ln + 1
  local mean, m2 = tonumber(lmean), tonumber(lm2)
  local delta = amount - mean
  mean = mean + delta / ln
  m2 = m2 + delta * (amount - mean)
  lmean, lm2 = string.format('%.17g', mean), string.format('%.17g', m2)
  for _, x in ipairs({'ln', ln, 'lmean', lmean, 'lm2', lm2}) do metaOut[#metaOut + 1] = x end
else
  lout = lout + 1
  metaOut[#metaOut + 1] = 'lout'; metaOut[#metaOut + 1] = lout
end

local contribution
if inbound then
  contribution = {1, amount, tonumber(ARGV[7]), tonumber(ARGV[8]), amount, 0, 0}
else
  contribution = {0, 0, 0, 0, 0, 1, amount}
end

local function addInto(v, c)
  for i = 1, FIELDS do
    if i == MAX_FIELD then
      if c[i] > v[i] then v[i] = c[i] end
    else
      v[i] = v[i] + c[i]
    end
  end
end

-- Occupancy rings: bucket i of a resolution lives in slot (i mod ring) + 1, ring = retention buckets.
-- All buckets held lie in [trim, trim + ring - 1], so a slot names exactly one bucket.
local ring, occ, trim, lowestOf = {}, {}, {}, {}
for ri, r in ipairs(resolutions) do
  local res = tonumber(r[1])
  ring[res] = r[2] / res
  occ[res] = m[13 + (ri - 1) * 2 + 1] or string.rep('0', ring[res])
  lowestOf[res] = floor(last / res) - ring[res] + 1
  trim[res] = tonumber(m[13 + (ri - 1) * 2]) or lowestOf[res]
end

local function setSlot(res, i, char)
  local s = (i % ring[res]) + 1
  occ[res] = string.sub(occ[res], 1, s - 1) .. char .. string.sub(occ[res], s + 1)
end

-- Indexes of the buckets from..to of one resolution that hold data. string.find walks the ring in C,
-- so a quiet wallet pays for its few held buckets, not for the length of the slide.
local function heldIndexes(res, from, to)
  local found = {}
  local first, size = trim[res], ring[res]
  if from < first then from = first end
  if to > first + size - 1 then to = first + size - 1 end
  if from > to then return found end
  local base = first - (first % size)
  local s = string.find(occ[res], '1', 1, true)
  while s do
    local i = base + s - 1
    if i < first then i = i + size end
    if i >= from and i <= to then found[#found + 1] = i end
    s = string.find(occ[res], '1', s + 1, true)
  end
  return found
end

local function heldFields(res, from, to)
  local fields = {}
  for _, i in ipairs(heldIndexes(res, from, to)) do fields[#fields + 1] = res .. ':' .. i end
  return fields
end

local function hmgetAll(fields)
  if #fields == 0 then return {} end
  return redis.call('HMGET', buckets, unpack(fields))
end

-- Running window sums: slide each window to end at the newest event time (before any bucket is
-- trimmed, since the buckets sliding out are read), then add this event.
local winOut = {}
for wi, w in ipairs(windows) do
  local length, res = w[2], w[3]
  local n = length / res
  local startIdx = floor(last / res) - n + 1
  local state = windowState[wi]
  local oldStart = (state and state[1]) or startIdx
  local v = (state and state[2]) or unpackValues(nil)
  if startIdx > oldStart then
    if startIdx - oldStart >= n then
      v = unpackValues(nil)
    else
      local maxLeft = false
      for _, b in ipairs(hmgetAll(heldFields(res, oldStart, startIdx - 1))) do
        if b then
          local bv = unpackValues(b)
          for f = 1, FIELDS do
            if f ~= MAX_FIELD then v[f] = v[f] - bv[f] end
          end
          if bv[MAX_FIELD] >= v[MAX_FIELD] then maxLeft = true end
        end
      end
      if maxLeft then
        -- The window's largest amount slid out: recompute it from the buckets still inside.
        v[MAX_FIELD] = 0
        for _, b in ipairs(hmgetAll(heldFields(res, startIdx, startIdx + n - 1))) do
          if b then
            local x = unpackValues(b)[MAX_FIELD]
            if x > v[MAX_FIELD] then v[MAX_FIELD] = x end
          end
        end
      end
    end
  end
  if floor(t / res) >= startIdx then addInto(v, contribution) end
  windowState[wi] = {startIdx, v}
  winOut[wi] = startIdx .. ':' .. packValues(v)
end
metaOut[#metaOut + 1] = 'win'; metaOut[#metaOut + 1] = table.concat(winOut, ';')

-- Buckets: trim what left the retention, then add the event to its bucket of each resolution.
local retained = false
local bucketFields, dropFields = {}, {}
for _, r in ipairs(resolutions) do
  local res = tonumber(r[1])
  local lowest = lowestOf[res]
  if lowest > trim[res] then
    for _, i in ipairs(heldIndexes(res, trim[res], lowest - 1)) do
      dropFields[#dropFields + 1] = res .. ':' .. i
      setSlot(res, i, '0')
    end
    trim[res] = lowest
  end
  local idx = floor(t / res)
  if idx >= lowest then
    retained = true
    bucketFields[#bucketFields + 1] = res .. ':' .. idx
    setSlot(res, idx, '1')
  end
  metaOut[#metaOut + 1] = 'trim:' .. r[1]; metaOut[#metaOut + 1] = trim[res]
  metaOut[#metaOut + 1] = 'occ:' .. r[1]; metaOut[#metaOut + 1] = occ[res]
end
if #dropFields > 0 then redis.call('HDEL', buckets, unpack(dropFields)) end
if #bucketFields > 0 then
  local current = redis.call('HMGET', buckets, unpack(bucketFields))
  local writes = {}
  for i, field in ipairs(bucketFields) do
    local v = unpackValues(current[i] or nil)
    addInto(v, contribution)
    writes[#writes + 1] = field
    writes[#writes + 1] = packValues(v)
  end
  redis.call('HSET', buckets, unpack(writes))
end

-- Counterparty sets: newest kept, bounded by the cap. ZADD GT returns 1 only for a new member.
local set = payees
if inbound then set = payers end
local isNew = redis.call('ZADD', set, 'GT', t, counterparty) == 1
if isNew and redis.call('ZCARD', set) > cap then redis.call('ZPOPMIN', set) end
if inbound then
  -- A payer already in the (newest-kept) payer set is already in the HyperLogLog.
  if isNew then redis.call('PFADD', payerHll, counterparty) end
  -- Replacement-wallet evidence: a payer new to this wallet who already paid a flagged wallet.
  if isNew and ARGV[14] ~= '' then
    for flagged in string.gmatch(ARGV[14], '[^,]+') do
      local count = redis.call('HINCRBY', meta, 'ov:' .. flagged, 1)
      if count > ovTopN then
        ovTop, ovTopN = flagged, count
        metaOut[#metaOut + 1] = 'ovTop'; metaOut[#metaOut + 1] = ovTop
        metaOut[#metaOut + 1] = 'ovTopN'; metaOut[#metaOut + 1] = ovTopN
      end
    end
  end
end

-- Housekeeping once per day of event time (not per event): forget event ids beyond the horizon
-- and push the keys' expiry forward (the time-to-live carries a day of slack for this). A key
-- written for the first time gets its expiry at once.
local day = floor(last / 86400000)
local housekeeping = tonumber(m[12]) ~= day
if housekeeping then
  redis.call('ZREMRANGEBYSCORE', seen, '-inf', '(' .. (last - dedupHorizon))
  metaOut[#metaOut + 1] = 'hk'; metaOut[#metaOut + 1] = day
end
redis.call('HSET', meta, unpack(metaOut))
if housekeeping then
  for i = 1, 6 do redis.call('PEXPIRE', KEYS[i], ttl) end
elseif (inbound and ln == 1) or (not inbound and lout == 1) then
  redis.call('PEXPIRE', set, ttl)
  if inbound then redis.call('PEXPIRE', payerHll, ttl) end
end

return snapshot(retained and 0 or 2, last, first, opened, ln, lmean, lm2, lout, ovTop, ovTopN, windowState)
