-- Releases a lock only if this holder still has it (it may have expired and been taken since).
-- KEYS[1] the lock
-- ARGV[1] the holder's token
-- return 1 when released, 0 when the lock was no longer this holder's
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
