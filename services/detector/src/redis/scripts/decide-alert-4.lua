--[[
  Decides, atomically per wallet, whether the rules firing now make a new alert: suppression by
  cool-down and analyst false-positive flags, escalation on a new rule or a higher severity. Records
  the firings for the risk score, and puts a new alert in the wallet's outbox until Kafka acknowledges it.

  KEYS[1] alerts   HASH  r:<rule> -> "severityRank|alertedAtEventMs"; s:<rule> -> "weight|firedAtEventMs";
                         fp:<rule> / fp:* -> silenced until (wall ms); last -> last alertId
  KEYS[2] alertLog LIST  recent alerts (JSON), newest first
  KEYS[3] outbox   HASH  alertId -> alert JSON, until published
  KEYS[4] seen     ZSET  the wallet's eventId -> event time index (sample events for the evidence)

  ARGV[1] event time of the triggering event, epoch ms
  ARGV[2] wall-clock now, epoch ms (analyst silences are in wall time)
  ARGV[3] cool-down, ms
  ARGV[4] score half-life, ms
  ARGV[5] level thresholds "medium,high,critical"
  ARGV[6] alertId (deterministic: wallet, triggering event, rules)
  ARGV[7] firing rules "ruleId:severityRank:weight;..."
  ARGV[8] alert JSON without score, severity, rules and previousAlertId (filled in here)
  ARGV[9] alert log length
  ARGV[10] key time-to-live, ms
  ARGV[11] start of the alert's window, epoch ms (sample events are taken from it)
  ARGV[12] how many sample event ids to include

  Returns {0} when nothing new is to be said, {1, alertJson} for a new alert.
]]

local alerts, alertLog, outbox, seen = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local t = tonumber(ARGV[1])
local wallNow = tonumber(ARGV[2])
local cooldown = tonumber(ARGV[3])
local halfLife = tonumber(ARGV[4])
local alertId = ARGV[6]
local ttl = tonumber(ARGV[10])

local SEVERITIES = {'low', 'medium', 'high', 'critical'}

if redis.call('HGET', alerts, 'last') == alertId then return {0} end

local silencedAll = tonumber(redis.call('HGET', alerts, 'fp:*') or '0') > wallNow
local firing = {}
local anyNew = false
local maxRank = 1
for item in string.gmatch(ARGV[7], '[^;]+') do
  local rule, rank, weight = string.match(item, '^([^:]+):(%d+):([%d.]+)$')
  rank = tonumber(rank)
  local silenced = silencedAll or tonumber(redis.call('HGET', alerts, 'fp:' .. rule) or '0') > wallNow
  if not silenced then
    firing[#firing + 1] = rule
    if rank > maxRank then maxRank = rank end
    redis.call('HSET', alerts, 's:' .. rule, weight .. '|' .. t)
    local state = redis.call('HGET', alerts, 'r:' .. rule)
    if not state then
      anyNew = true
    else
      local prevRank, prevAt = string.match(state, '^(%d+)|(-?%d+)$')
      if rank > tonumber(prevRank) or t - tonumber(prevAt) >= cooldown then anyNew = true end
    end
  end
end
redis.call('PEXPIRE', alerts, ttl)
if not anyNew then return {0} end

-- Score: every rule that ever fired, its weight halved per half-life since it last fired, capped at 100.
local score = 0
local all = redis.call('HGETALL', alerts)
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 2) == 's:' then
    local weight, at = string.match(all[i + 1], '^([%d.]+)|(-?%d+)$')
    local age = t - tonumber(at)
    if age < 0 then age = 0 end
    score = score + tonumber(weight) * math.pow(0.5, age / halfLife)
  end
end
if score > 100 then score = 100 end
score = math.floor(score * 10 + 0.5) / 10

local levels = {}
for n in string.gmatch(ARGV[5], '[^,]+') do levels[#levels + 1] = tonumber(n) end
local levelRank = 1
for i = 1, 3 do if score >= levels[i] then levelRank = i + 1 end end
if levelRank > maxRank then maxRank = levelRank end

for _, rule in ipairs(firing) do redis.call('HSET', alerts, 'r:' .. rule, maxRank .. '|' .. t) end
local previous = redis.call('HGET', alerts, 'last')
redis.call('HSET', alerts, 'last', alertId)

local alert = cjson.decode(ARGV[8])
alert['score'] = score
alert['severity'] = SEVERITIES[maxRank]
alert['rules'] = firing
if previous then alert['previousAlertId'] = previous end
local samples = redis.call('ZREVRANGEBYSCORE', seen, t, ARGV[11], 'LIMIT', 0, tonumber(ARGV[12]))
if #samples > 0 then alert['sampleEventIds'] = samples end
local json = cjson.encode(alert)

redis.call('HSET', outbox, alertId, json)
redis.call('LPUSH', alertLog, json)
redis.call('LTRIM', alertLog, 0, tonumber(ARGV[9]) - 1)
redis.call('PEXPIRE', alertLog, ttl)
redis.call('PEXPIRE', outbox, ttl)
return {1, json}
