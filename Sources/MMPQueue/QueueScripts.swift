import MMPRedis

/// The queue's Lua scripts. Each is one atomic transition (design §3.1); each touches only the
/// keys passed in KEYS (§3.6) — with one exception, the claim scripts (ClaimScripts.swift), which
/// build the record key of the id they pop from a declared prefix carrying the same hash tag;
/// every write on behalf of a worker checks the lease token (§3.3). Time comes from the Redis
/// server (TIME), so workers' clocks never decide a lease.
enum QueueScripts {
    /// Shared prelude: server time in ms, and an event appender.
    static let prelude = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local now_us = t[1] .. string.format('%06d', tonumber(t[2]))
    local function event(stream, cap, id, name, state, ...)
      redis.call('XADD', stream, 'MAXLEN', '~', cap, '*', 'job', id, 'event', name, 'state', state, 'at', now, ...)
    end
    local function wake(list, cap)
      if redis.call('LPUSH', list, '1') > cap then redis.call('LTRIM', list, 0, cap - 1) end
    end
    local function terminal(job, index, ttl, idem, id, state)
      redis.call('HSET', job, 'state', state, 'finished_at', now, 'updated_at', now)
      redis.call('ZADD', index, now, id)
      redis.call('EXPIRE', job, ttl)
      local key = redis.call('HGET', job, 'idempotency_key')
      if key and key ~= '' and redis.call('HGET', idem, key) == id then redis.call('HDEL', idem, key) end
    end
    local function cap_index(index, cap)
      if redis.call('ZCARD', index) > cap then redis.call('ZREMRANGEBYRANK', index, 0, -(cap + 1)) end
    end

    """

    static func script(_ name: String, _ body: String) -> RedisScript {
        RedisScript(name: name, source: prelude + body)
    }

    /// KEYS: job, pending, scheduled, events, idempotency, wake
    /// ARGV: id, idempotency key, delay ms, events cap, wake cap, field, value, ...
    /// Returns {id, created (1) or existing (0)}.
    static let submit = script("submit", """
    local id = ARGV[1]
    if ARGV[2] ~= '' then
      local existing = redis.call('HGET', KEYS[5], ARGV[2])
      if existing then return {existing, 0} end
    end
    if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('ERR job id ' .. id .. ' already exists') end
    local delay = tonumber(ARGV[3])
    local state = 'queued'
    if delay > 0 then state = 'scheduled' end
    local fields = {'state', state, 'created_at', now, 'updated_at', now, 'run_at', now + delay, 'attempts', 0, 'deliveries', 0,
      'progress', 0}
    for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
    redis.call('HSET', KEYS[1], unpack(fields))
    if delay > 0 then
      redis.call('ZADD', KEYS[3], now + delay, id)
    else
      redis.call('LPUSH', KEYS[2], id)
      wake(KEYS[6], tonumber(ARGV[5]))
    end
    if ARGV[2] ~= '' then redis.call('HSET', KEYS[5], ARGV[2], id) end
    event(KEYS[4], ARGV[4], id, 'submitted', state)
    return {id, 1}
    """)

    /// KEYS: job, active.  ARGV: id, token, lease ms.
    /// Returns 'ok', 'cancel' (renewed, but a cancel was requested) or 'lost' (no longer ours).
    static let heartbeat = script("heartbeat", """
    local f = redis.call('HMGET', KEYS[1], 'state', 'lease_token', 'cancel_requested')
    if f[1] ~= 'active' or f[2] ~= ARGV[2] then return 'lost' end
    local expires = now + tonumber(ARGV[3])
    redis.call('HSET', KEYS[1], 'lease_expires_at', expires)
    redis.call('ZADD', KEYS[2], 'XX', expires, ARGV[1])
    if f[3] == '1' then return 'cancel' end
    return 'ok'
    """)

    /// KEYS: job, events.  ARGV: id, token, event name (stage | progress), stage, progress ('' keeps it), events cap.
    static let progress = script("progress", """
    local f = redis.call('HMGET', KEYS[1], 'state', 'lease_token')
    if f[1] ~= 'active' or f[2] ~= ARGV[2] then return 'stale' end
    redis.call('HSET', KEYS[1], 'stage', ARGV[4], 'updated_at', now)
    if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'progress', ARGV[5]) end
    event(KEYS[2], ARGV[6], ARGV[1], ARGV[3], 'active', 'stage', ARGV[4], 'progress', ARGV[5])
    return 'ok'
    """)

    /// KEYS: job, active, scheduled, failed, dead, events, idempotency
    /// ARGV: id, token, mode (retry | permanent | crash | dead), error kind, message, backoff ms,
    ///       result ttl s, dead ttl s, events cap, index cap, dead cap
    /// Returns {new state, attempts} or {'stale'} / {'already', state}.
    static let fail = script("fail", """
    local id = ARGV[1]
    local mode = ARGV[3]
    local f = redis.call('HMGET', KEYS[1], 'state', 'lease_token', 'attempts', 'max_attempts', 'deliveries', 'max_deliveries')
    if f[2] ~= ARGV[2] then return {'stale'} end
    if f[1] ~= 'active' then return {'already', f[1] or ''} end
    redis.call('ZREM', KEYS[2], id)
    local attempts = tonumber(f[3] or '0')
    if mode ~= 'crash' then attempts = attempts + 1 end
    local maxAttempts = tonumber(f[4] or '1')
    local deliveries = tonumber(f[5] or '0')
    local maxDeliveries = tonumber(f[6] or '1')
    local message = ARGV[5]
    local target
    if mode == 'dead' then target = 'dead'
    elseif mode == 'permanent' then target = 'failed'
    elseif mode == 'crash' then
      if deliveries >= maxDeliveries then
        target = 'dead'
        message = message .. ' (delivery cap of ' .. maxDeliveries .. ' reached)'
      else target = 'scheduled' end
    else
      if attempts >= maxAttempts then
        target = 'failed'
        message = message .. ' (gave up after ' .. attempts .. ' attempts)'
      elseif deliveries >= maxDeliveries then
        target = 'dead'
        message = message .. ' (delivery cap of ' .. maxDeliveries .. ' reached)'
      else target = 'scheduled' end
    end
    redis.call('HSET', KEYS[1], 'attempts', attempts, 'error_kind', ARGV[4], 'error_message', message, 'updated_at', now)
    if target == 'scheduled' then
      local runAt = now + tonumber(ARGV[6])
      redis.call('HSET', KEYS[1], 'state', 'scheduled', 'run_at', runAt)
      redis.call('ZADD', KEYS[3], runAt, id)
      event(KEYS[6], ARGV[9], id, 'retry_scheduled', 'scheduled', 'error_kind', ARGV[4], 'message', message, 'run_at', runAt)
    elseif target == 'failed' then
      terminal(KEYS[1], KEYS[4], ARGV[7], KEYS[7], id, 'failed')
      cap_index(KEYS[4], tonumber(ARGV[10]))
      event(KEYS[6], ARGV[9], id, 'failed', 'failed', 'error_kind', ARGV[4], 'message', message)
    else
      terminal(KEYS[1], KEYS[5], ARGV[8], KEYS[7], id, 'dead')
      cap_index(KEYS[5], tonumber(ARGV[11]))
      event(KEYS[6], ARGV[9], id, 'dead', 'dead', 'error_kind', ARGV[4], 'message', message)
    end
    return {target, attempts}
    """)

    /// Shutdown: give a running job back without spending an attempt or a delivery.
    /// KEYS: job, active, pending, events, wake.  ARGV: id, token, events cap, wake cap.
    static let release = script("release", """
    local id = ARGV[1]
    local f = redis.call('HMGET', KEYS[1], 'state', 'lease_token')
    if f[1] ~= 'active' or f[2] ~= ARGV[2] then return 'stale' end
    redis.call('ZREM', KEYS[2], id)
    redis.call('HINCRBY', KEYS[1], 'deliveries', -1)
    redis.call('HSET', KEYS[1], 'state', 'queued', 'worker', '', 'lease_token', '', 'lease_expires_at', '', 'progress', 0,
      'stage', '', 'updated_at', now)
    redis.call('RPUSH', KEYS[3], id)
    wake(KEYS[5], tonumber(ARGV[4]))
    event(KEYS[4], ARGV[3], id, 'requeued', 'queued', 'reason', 'worker shutdown')
    return 'ok'
    """)

    /// A running job whose cancel the worker has carried out.
    /// KEYS: job, active, cancelled, events, idempotency.  ARGV: id, token, ttl s, events cap, index cap.
    static let finishCancelled = script("finish-cancelled", """
    local id = ARGV[1]
    local f = redis.call('HMGET', KEYS[1], 'state', 'lease_token')
    if f[2] ~= ARGV[2] then return 'stale' end
    if f[1] ~= 'active' then return 'already' end
    redis.call('ZREM', KEYS[2], id)
    terminal(KEYS[1], KEYS[3], ARGV[3], KEYS[5], id, 'cancelled')
    cap_index(KEYS[3], tonumber(ARGV[5]))
    event(KEYS[4], ARGV[4], id, 'cancelled', 'cancelled')
    return 'ok'
    """)

    /// KEYS: job, pending, scheduled, cancelled, events, idempotency
    /// ARGV: id, ttl s, events cap, index cap, cancel channel
    /// Returns {'cancelled'} | {'cancelling'} | {'terminal', state} | {'missing'}.
    static let cancel = script("cancel", """
    local id = ARGV[1]
    local state = redis.call('HGET', KEYS[1], 'state')
    if not state then return {'missing'} end
    if state == 'queued' or state == 'scheduled' then
      redis.call('LREM', KEYS[2], 0, id)
      redis.call('ZREM', KEYS[3], id)
      terminal(KEYS[1], KEYS[4], ARGV[2], KEYS[6], id, 'cancelled')
      cap_index(KEYS[4], tonumber(ARGV[4]))
      event(KEYS[5], ARGV[3], id, 'cancelled', 'cancelled')
      return {'cancelled'}
    elseif state == 'active' then
      redis.call('HSET', KEYS[1], 'cancel_requested', 1, 'updated_at', now)
      event(KEYS[5], ARGV[3], id, 'cancel_requested', 'active')
      redis.call('PUBLISH', ARGV[5], id)
      return {'cancelling'}
    end
    return {'terminal', state}
    """)

    /// Put a failed, dead or cancelled job back to pending with fresh counters.
    /// KEYS: job, dead, failed, cancelled, pending, events, wake.  ARGV: id, events cap, wake cap.
    static let retry = script("retry", """
    local id = ARGV[1]
    local state = redis.call('HGET', KEYS[1], 'state')
    if not state then return {'missing'} end
    if state ~= 'dead' and state ~= 'failed' and state ~= 'cancelled' then return {'refused', state} end
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
    redis.call('ZREM', KEYS[4], id)
    redis.call('PERSIST', KEYS[1])
    redis.call('HDEL', KEYS[1], 'finished_at', 'result', 'cancel_requested', 'worker', 'lease_token', 'lease_expires_at')
    redis.call('HSET', KEYS[1], 'state', 'queued', 'attempts', 0, 'deliveries', 0, 'progress', 0, 'stage', '',
      'updated_at', now, 'run_at', now)
    redis.call('LPUSH', KEYS[5], id)
    wake(KEYS[7], tonumber(ARGV[3]))
    event(KEYS[6], ARGV[2], id, 'retried', 'queued', 'from', state)
    return {'queued', state}
    """)

    /// Due scheduled jobs to pending. KEYS: scheduled, pending, events, wake, job1, job2...
    /// ARGV: events cap, wake cap, id1, id2... Returns how many moved.
    static let promote = script("promote", """
    local moved = 0
    for i = 5, #KEYS do
      local id = ARGV[i - 2]
      local due = redis.call('ZSCORE', KEYS[1], id)
      if due and tonumber(due) <= now then
        redis.call('ZREM', KEYS[1], id)
        if redis.call('HGET', KEYS[i], 'state') == 'scheduled' then
          redis.call('HSET', KEYS[i], 'state', 'queued', 'updated_at', now)
          redis.call('LPUSH', KEYS[2], id)
          event(KEYS[3], ARGV[1], id, 'queued', 'queued')
          moved = moved + 1
        end
      end
    end
    if moved > 0 then wake(KEYS[4], tonumber(ARGV[2])) end
    return moved
    """)

    /// Expired leases. KEYS: active, pending, dead, cancelled, events, idempotency, wake, job1, job2...
    /// ARGV: events cap, wake cap, result ttl, dead ttl, index cap, dead cap, id1, id2...
    /// Returns {requeued, dead, cancelled}.
    static let reap = script("reap", """
    local requeued, buried, cancelled = 0, 0, 0
    for i = 8, #KEYS do
      local id = ARGV[i - 1]
      local expires = redis.call('ZSCORE', KEYS[1], id)
      if expires and tonumber(expires) <= now then
        redis.call('ZREM', KEYS[1], id)
        local job = KEYS[i]
        local f = redis.call('HMGET', job, 'state', 'deliveries', 'max_deliveries', 'cancel_requested', 'worker')
        if f[1] == 'active' then
          local worker = f[5] or '?'
          redis.call('HSET', job, 'lease_token', '', 'lease_expires_at', '')
          if f[4] == '1' then
            terminal(job, KEYS[4], ARGV[3], KEYS[6], id, 'cancelled')
            event(KEYS[5], ARGV[1], id, 'cancelled', 'cancelled', 'reason', 'lease expired on ' .. worker)
            cancelled = cancelled + 1
          elseif tonumber(f[2] or '0') >= tonumber(f[3] or '1') then
            local message = 'lease expired on worker ' .. worker .. ' (delivery cap of ' .. (f[3] or '1') .. ' reached)'
            redis.call('HSET', job, 'error_kind', 'lease_expired', 'error_message', message)
            terminal(job, KEYS[3], ARGV[4], KEYS[6], id, 'dead')
            cap_index(KEYS[3], tonumber(ARGV[6]))
            event(KEYS[5], ARGV[1], id, 'dead', 'dead', 'error_kind', 'lease_expired', 'message', message)
            buried = buried + 1
          else
            redis.call('HSET', job, 'state', 'queued', 'worker', '', 'progress', 0, 'stage', '', 'updated_at', now)
            redis.call('RPUSH', KEYS[2], id)
            event(KEYS[5], ARGV[1], id, 'lease_expired', 'queued', 'worker', worker)
            requeued = requeued + 1
          end
        end
      end
    end
    if requeued > 0 then wake(KEYS[7], tonumber(ARGV[2])) end
    return {requeued, buried, cancelled}
    """)

    /// A stopping worker may have taken a wake token it will not act on: put one back for any
    /// queue with work waiting, so another idle worker looks. (A spare token costs one empty claim.)
    /// KEYS: pending, wake.  Returns 1 when a token was pushed.
    static let nudge = script("nudge", """
    if redis.call('LLEN', KEYS[1]) > 0 and redis.call('LLEN', KEYS[2]) == 0 then
      redis.call('LPUSH', KEYS[2], '1')
      return 1
    end
    return 0
    """)

    static var all: [RedisScript] {
        [submit, claimNext, heartbeat, progress, complete, completeAndClaim, fail, release, finishCancelled, cancel, retry, promote, reap, nudge]
    }
}
