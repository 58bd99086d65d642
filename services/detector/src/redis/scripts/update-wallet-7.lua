--[[
  Applies one transaction to one wallet's velocity features, exactly once, and returns the wallet's
  current aggregates so the rules need no second read.

  Every key carries the wallet's hash tag, so the script runs unchanged on Redis Cluster.

  KEYS[1] meta      HASH  first/last seen, opening time, lifetime stats, per-window running sums
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
  ARGV[12] windows: "name:lengthMs:resolutionMs;..." (each length a multiple of its resolution)
  ARGV[13] resolutions: "resolutionMs:retentionMs;..."
  ARGV[14] flagged wallets this payer already paid: "walletA,walletB" or ""

  Returns a flat array:
    [1] status: 0 applied, 1 duplicate (nothing changed), 2 older than retention (lifetime stats only),
        3 older than the de-duplication horizon (nothing changed: it could not be told from a replay)
    [2] firstSeenMs [3] openedAtMs or -1 [4] lastEventMs
    [5] lifetime inbound count [6] lifetime inbound mean (string) [7] lifetime inbound M2 (string)
    [8] lifetime outbound count [9] payers held [10] payees held
    [11] top overlapping flagged wallet or "" [12] its overlapping payer count
    [13] 1 when an alert is waiting to be published, else 0
    [14] when the wallet was flagged (alerted or by an analyst), epoch ms, or -1
    then per window, in ARGV[12] order: inCount, inSum, small, near, inMax, outCount, outSum,
    distinctPayers, distinctPayees, windowStartMs
]]

local meta, buckets, payers, payees, seen, payerHll, outbox =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]

local eventId = ARGV[1]
local t = tonumber(ARGV[2])
local inbound = ARGV[3] == 'in'
local amount = tonumber(ARGV[4])
local counterparty = ARGV[5]
local openedAt = tonumber(ARGV[6])
local small = tonumber(ARGV[7])
local near = tonumber(ARGV[8])
local dedupHorizon = tonumber(ARGV[9])
local ttl = tonumber(ARGV[10])
local cap = tonumber(ARGV[11])

local FIELDS = 7 -- inCount, inSum, small, near, inMax, outCount, outSum
local MAX_FIELD = 5

local function parseSpec(spec)
  local out = {}
  for item in string.gmatch(spec, '[^;]+') do
    local parts = {}
    for p in string.gmatch(item, '[^:]+') do parts[#parts + 1] = p end
    out[#out + 1] = parts
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

-- The event's contribution to one bucket or window, in the packed field order.
local contribution = {0, 0, 0, 0, 0, 0, 0}
if inbound then
  contribution = {1, amount, small, near, amount, 0, 0}
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

local windows = parseSpec(ARGV[12])
local resolutions = parseSpec(ARGV[13])

-- computed: per window {values, startIndex} already in hand after an update; nil re-reads them.
local function snapshot(status, computed)
  local m = redis.call('HMGET', meta, 'first', 'opened', 'last', 'ln', 'lmean', 'lm2', 'lout',
    'ovTop', 'ovTopN', 'flaggedAt')
  local last = tonumber(m[3]) or t
  local out = {
    status, tonumber(m[1]) or t, tonumber(m[2]) or -1, last,
    tonumber(m[4]) or 0, m[5] or '0', m[6] or '0', tonumber(m[7]) or 0,
    redis.call('ZCARD', payers), redis.call('ZCARD', payees),
    m[8] or '', tonumber(m[9]) or 0, redis.call('EXISTS', outbox), tonumber(m[10]) or -1,
  }
  for wi, w in ipairs(windows) do
    local name, res = w[1], tonumber(w[3])
    local v, startIdx
    if computed then
      v, startIdx = computed[wi][1], computed[wi][2]
    else
      local state = redis.call('HMGET', meta, name .. ':v', name .. ':st')
      v, startIdx = unpackValues(state[1]), tonumber(state[2]) or math.floor(last / res)
    end
    local startMs = startIdx * res
    for i = 1, FIELDS do out[#out + 1] = v[i] end
    out[#out + 1] = redis.call('ZCOUNT', payers, startMs, '+inf')
    out[#out + 1] = redis.call('ZCOUNT', payees, startMs, '+inf')
    out[#out + 1] = startMs
  end
  return out
end

if redis.call('ZSCORE', seen, eventId) then
  return snapshot(1)
end

local known = redis.call('HMGET', meta, 'last', 'first')
local last = tonumber(known[1]) or t
if t > last then last = t end
if t < last - dedupHorizon then
  return snapshot(3)
end

-- De-duplication index: remember this event, forget what fell out of the horizon.
redis.call('ZADD', seen, t, eventId)
redis.call('ZREMRANGEBYSCORE', seen, '-inf', '(' .. (last - dedupHorizon))

-- Wallet identity and lifetime statistics (Welford's running mean and M2 of inbound amounts).
local first = tonumber(known[2])
if not first or t < first then redis.call('HSET', meta, 'first', t) end
if openedAt then redis.call('HSET', meta, 'opened', openedAt) end
redis.call('HSET', meta, 'last', last)
if inbound then
  local s = redis.call('HMGET', meta, 'ln', 'lmean', 'lm2')
  local n = (tonumber(s[1]) or 0) + 1
  local mean = tonumber(s[2]) or 0
  local m2 = tonumber(s[3]) or 0
  local delta = amount - mean
  mean = mean + delta / n
  m2 = m2 + delta * (amount - mean)
  redis.call('HSET', meta, 'ln', n, 'lmean', string.format('%.17g', mean), 'lm2', string.format('%.17g', m2))
else
  redis.call('HINCRBY', meta, 'lout', 1)
end

-- Buckets, one family per resolution; fields older than the resolution's retention are deleted.
local maxRetention = 0
local retained = false
for _, r in ipairs(resolutions) do
  local res, retention = tonumber(r[1]), tonumber(r[2])
  if retention > maxRetention then maxRetention = retention end
  local keep = retention / res
  local lowest = math.floor(last / res) - keep + 1
  local idx = math.floor(t / res)
  if idx >= lowest then
    retained = true
    local field = r[1] .. ':' .. idx
    local v = unpackValues(redis.call('HGET', buckets, field))
    addInto(v, contribution)
    redis.call('HSET', buckets, field, packValues(v))
  end
  local trimKey = r[1] .. ':trim'
  local trimmedTo = tonumber(redis.call('HGET', meta, trimKey)) or lowest
  if lowest > trimmedTo then
    local from = trimmedTo
    if lowest - from > keep then from = lowest - keep end
    for i = from, lowest - 1 do redis.call('HDEL', buckets, r[1] .. ':' .. i) end
  end
  if lowest > trimmedTo or not redis.call('HEXISTS', meta, trimKey) then
    redis.call('HSET', meta, trimKey, lowest)
  end
end

-- Running window sums: slide each window to end at the newest event time, then add this event.
local computed = {}
for wi, w in ipairs(windows) do
  local name, length, res = w[1], tonumber(w[2]), tonumber(w[3])
  local n = length / res
  local startIdx = math.floor(last / res) - n + 1
  local state = redis.call('HMGET', meta, name .. ':v', name .. ':st')
  local v = unpackValues(state[1])
  local oldStart = tonumber(state[2]) or startIdx
  if startIdx > oldStart then
    if startIdx - oldStart >= n then
      v = unpackValues(nil)
    else
      local maxLeft = false
      for i = oldStart, startIdx - 1 do
        local b = redis.call('HGET', buckets, res .. ':' .. i)
        if b then
          local bv = unpackValues(b)
          for f = 1, FIELDS do
            if f ~= MAX_FIELD then v[f] = v[f] - bv[f] end
          end
          if bv[MAX_FIELD] >= v[MAX_FIELD] then maxLeft = true end
        end
      end
      if maxLeft then
        -- The window's largest amount slid out: recompute the maximum from the buckets still inside.
        v[MAX_FIELD] = 0
        for i = startIdx, startIdx + n - 1 do
          local b = redis.call('HGET', buckets, res .. ':' .. i)
          if b then
            local bv = unpackValues(b)
            if bv[MAX_FIELD] > v[MAX_FIELD] then v[MAX_FIELD] = bv[MAX_FIELD] end
          end
        end
      end
    end
  end
  if math.floor(t / res) >= startIdx then addInto(v, contribution) end
  redis.call('HSET', meta, name .. ':v', packValues(v), name .. ':st', startIdx)
  computed[wi] = {v, startIdx}
end

-- Counterparty sets: newest kept, bounded by the cap and by the largest window.
local set = payees
if inbound then set = payers end
local existing = tonumber(redis.call('ZSCORE', set, counterparty))
local isNew = existing == nil
if isNew or t > existing then redis.call('ZADD', set, t, counterparty) end
if redis.call('ZCARD', set) > cap then redis.call('ZPOPMIN', set, redis.call('ZCARD', set) - cap) end
if inbound then
  redis.call('PFADD', payerHll, counterparty)
  -- Replacement-wallet evidence: a payer new to this wallet who already paid a flagged wallet.
  if isNew and ARGV[14] ~= '' then
    local top = tonumber(redis.call('HGET', meta, 'ovTopN')) or 0
    for flagged in string.gmatch(ARGV[14], '[^,]+') do
      local count = redis.call('HINCRBY', meta, 'ov:' .. flagged, 1)
      if count > top then
        top = count
        redis.call('HSET', meta, 'ovTop', flagged, 'ovTopN', count)
      end
    end
  end
end

for i = 1, 6 do redis.call('PEXPIRE', KEYS[i], ttl) end

if retained then return snapshot(0, computed) end
return snapshot(2, computed)
