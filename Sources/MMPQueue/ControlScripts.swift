import MMPRedis

/// What a person does to the queue from `mmp queues` and the dashboard: pause and resume a
/// queue, run a scheduled job now, delete a job. One atomic step each, every key declared.
extension QueueScripts {
    /// KEYS: paused, wake.  ARGV: none.  Returns 1 when it was running, 0 when already paused.
    /// The wake tokens go (idle workers stop waking for it); claims lease nothing while `paused` exists.
    static let pause = script("pause", """
    local was = redis.call('EXISTS', KEYS[1])
    if was == 0 then redis.call('SET', KEYS[1], now) end
    redis.call('DEL', KEYS[2])
    return 1 - was
    """)

    /// KEYS: paused, pending, wake.  ARGV: wake cap.  Returns 1 when it was paused, 0 otherwise.
    /// A wake token for the job at the tail of pending, so an idle worker takes it at once.
    static let resume = script("resume", """
    local was = redis.call('DEL', KEYS[1])
    if redis.call('LLEN', KEYS[2]) > 0 and redis.call('LLEN', KEYS[3]) == 0 then
      wake(KEYS[3], tonumber(ARGV[1]), redis.call('LINDEX', KEYS[2], -1))
    end
    return was
    """)

    /// A scheduled job (a delay, a retry's backoff) to pending now.
    /// KEYS: job, scheduled, pending, events, wake, paused.  ARGV: id, events cap, wake cap.
    /// Returns {'queued'} | {'refused', state} | {'missing'}.
    static let promoteNow = script("promote-now", """
    local id = ARGV[1]
    local state = redis.call('HGET', KEYS[1], 'state')
    if not state then return {'missing'} end
    if state ~= 'scheduled' then return {'refused', state} end
    redis.call('ZREM', KEYS[2], id)
    redis.call('HSET', KEYS[1], 'state', 'queued', 'run_at', now, 'updated_at', now)
    redis.call('LPUSH', KEYS[3], id)
    if redis.call('EXISTS', KEYS[6]) == 0 then wake(KEYS[5], tonumber(ARGV[3]), id) end
    event(KEYS[4], ARGV[2], id, 'queued', 'queued', 'reason', 'promoted')
    return {'queued'}
    """)

    /// Deletes a job that is not running (cancel a running one first), with its index entry and
    /// the idempotency key it holds. An index entry whose record is gone (expired) is removed too.
    /// KEYS: job, pending, scheduled, succeeded, failed, dead, cancelled, idempotency, events.
    /// ARGV: id, events cap.  Returns {'deleted', state} | {'refused', 'active'} | {'missing'}.
    static let delete = script("delete", """
    local id = ARGV[1]
    local f = redis.call('HMGET', KEYS[1], 'state', 'idempotency_key')
    local state = f[1]
    if state == 'active' then return {'refused', 'active'} end
    if not state then
      for i = 3, 7 do redis.call('ZREM', KEYS[i], id) end
      return {'missing'}
    end
    local where = {queued = 2, scheduled = 3, succeeded = 4, failed = 5, dead = 6, cancelled = 7}
    local index = where[state]
    if index == 2 then redis.call('LREM', KEYS[2], 0, id) elseif index then redis.call('ZREM', KEYS[index], id) end
    if f[2] and f[2] ~= '' and redis.call('HGET', KEYS[8], f[2]) == id then redis.call('HDEL', KEYS[8], f[2]) end
    redis.call('DEL', KEYS[1])
    event(KEYS[9], ARGV[2], id, 'deleted', 'deleted', 'from', state)
    return {'deleted', state}
    """)

    static var control: [RedisScript] { [pause, resume, promoteNow, delete] }
}
