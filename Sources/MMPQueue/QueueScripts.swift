import MMPRedis

/// The queue's Lua scripts. Each is one atomic transition (design §3.1); each touches only the
/// keys passed in KEYS (§3.6: a claim names the records of the ids it expects at the tail of
/// `pending` and checks they are still there, ClaimScripts.swift); every write on behalf of a
/// worker checks the lease token (§3.3). Time comes from the Redis server (TIME), so workers'
/// clocks never decide a lease.
///
/// Every script starts with a shebang (Redis 7.0 script flags). Without `no-writes` a script is
/// declared as writing, so Redis refuses it *before it runs* when it cannot write: `OOM` at
/// `maxmemory`, `READONLY` on a replica. Without the flags Redis would run it and refuse only its
/// first growing write, after the pop of a claim had already happened. `allow-oom` marks the few
/// scripts that must go on under memory pressure because they add nothing (lease renewal,
/// liveness) or free memory (trimming).
enum QueueScripts {
    /// Shared prelude: server time in ms, and an event appender.
    static let prelude = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local now_us = t[1] .. string.format('%06d', tonumber(t[2]))
    local function event(stream, cap, id, name, state, ...)
      redis.call('XADD', stream, 'MAXLEN', '~', cap, '*', 'job', id, 'event', name, 'state', state, 'at', now, ...)
    end
    -- A wake token: the id of a job now waiting (the claim that takes the token expects it at the
    -- tail of pending), at most `cap` of them.
    local function wake(list, cap, token)
      if redis.call('LPUSH', list, token) > cap then redis.call('LTRIM', list, 0, cap - 1) end
    end
    local function terminal(job, index, ttl, idem, id, state)
      redis.call('HSET', job, 'state', state, 'finished_at', now, 'updated_at', now)
      redis.call('ZADD', index, now, id)
      redis.call('EXPIRE', job, ttl)
      local key = redis.call('HGET', job, 'idempotency_key')
      if key and key ~= '' and redis.call('HGET', idem, key) == id then redis.call('HDEL', idem, key) end
    end

    """

    /// Script flags (Redis 7.0 shebang): none declares a writing script that Redis refuses up
    /// front when it cannot write.
    enum Flags: String {
        case writes = ""
        case writesEvenWhenFull = "allow-oom"
    }

    static func script(_ name: String, flags: Flags = .writes, _ body: String) -> RedisScript {
        RedisScript(name: name, source: shebang(flags) + prelude + body)
    }

    static func shebang(_ flags: Flags) -> String {
        flags == .writes ? "#!lua\n" : "#!lua flags=\(flags.rawValue)\n"
    }

    /// KEYS: job, pending, scheduled, events, idempotency, wake, holder (the record of the job
    ///       that held the idempotency key when the client read it; the new job's key when none)
    /// ARGV: id, idempotency key, delay ms, events cap, wake cap, holder id ('' for none),
    ///       field, value, ...
    /// Returns {id, created (1) or existing (0)}, or {'changed'} when the key's holder changed
    /// since the client read it (it reads again).
    static let submit = script("submit", """
    local id = ARGV[1]
    local key = ARGV[2]
    if key ~= '' then
      local holder = redis.call('HGET', KEYS[5], key) or ''
      if holder ~= ARGV[6] then return {'changed'} end
      if holder ~= '' then
        local state = redis.call('HGET', KEYS[7], 'state')
        if state == 'queued' or state == 'scheduled' or state == 'active' then return {holder, 0} end
        -- The holder's record is gone or ended without releasing the key: the key is free.
      end
    end
    if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('ERR job id ' .. id .. ' already exists') end
    local delay = tonumber(ARGV[3])
    local state = 'queued'
    if delay > 0 then state = 'scheduled' end
    local fields = {'state', state, 'created_at', now, 'updated_at', now, 'run_at', now + delay, 'attempts', 0, 'deliveries', 0,
      'lost_deliveries', 0, 'releases', 0, 'progress', 0}
    for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
    redis.call('HSET', KEYS[1], unpack(fields))
    if delay > 0 then
      redis.call('ZADD', KEYS[3], now + delay, id)
    else
      redis.call('LPUSH', KEYS[2], id)
      wake(KEYS[6], tonumber(ARGV[5]), id)
    end
    if key ~= '' then redis.call('HSET', KEYS[5], key, id) end
    event(KEYS[4], ARGV[4], id, 'submitted', state)
    return {id, 1}
    """)

    /// KEYS: job, active.  ARGV: id, token, lease ms.
    /// Returns 'ok', 'cancel' (renewed, but a cancel was requested) or 'lost' (no longer ours).
    /// Runs when Redis is full: it only overwrites a field and a score, and a worker that keeps
    /// a finished result until Redis takes it must keep its lease meanwhile.
    static let heartbeat = script("heartbeat", flags: .writesEvenWhenFull, """
    local f = redis.call('HMGET', KEYS[1], 'state', 'lease_token', 'cancel_requested')
    if f[1] ~= 'active' or f[2] ~= ARGV[2] then return 'lost' end
    local expires = now + tonumber(ARGV[3])
    redis.call('HSET', KEYS[1], 'lease_expires_at', expires)
    redis.call('ZADD', KEYS[2], 'XX', expires, ARGV[1])
    if f[3] == '1' then return 'cancel' end
    return 'ok'
    """)

    /// KEYS: job, events.  ARGV: id, token, event name (stage | progress), stage, progress ('' keeps it), events cap.
    /// Returns 'ok' or 'stale'.
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
    ///       result ttl s, dead ttl s, events cap
    /// Returns {new state, attempts} or {'stale'} / {'already', state}.
    ///
    /// `attempts` counts runs that reached a verdict; a crash (no verdict) counts toward
    /// `lost_deliveries` instead, which alone meets `max_deliveries`.
    static let fail = script("fail", """
    local id = ARGV[1]
    local mode = ARGV[3]
    local f = redis.call('HMGET', KEYS[1], 'state', 'lease_token', 'attempts', 'max_attempts', 'lost_deliveries', 'max_deliveries')
    if f[2] ~= ARGV[2] then return {'stale'} end
    if f[1] ~= 'active' then return {'already', f[1] or ''} end
    redis.call('ZREM', KEYS[2], id)
    local attempts = tonumber(f[3] or '0')
    local lost = tonumber(f[5] or '0')
    if mode == 'crash' then lost = lost + 1 else attempts = attempts + 1 end
    local maxAttempts = tonumber(f[4] or '1')
    local maxDeliveries = tonumber(f[6] or '1')
    local message = ARGV[5]
    local target
    if mode == 'dead' then target = 'dead'
    elseif mode == 'permanent' then target = 'failed'
    elseif mode == 'crash' then
      if lost >= maxDeliveries then
        target = 'dead'
        message = message .. ' (delivery cap of ' .. maxDeliveries .. ' reached)'
      else target = 'scheduled' end
    elseif attempts >= maxAttempts then
      target = 'failed'
      message = message .. ' (gave up after ' .. attempts .. ' attempts)'
    else target = 'scheduled' end
    redis.call('HSET', KEYS[1], 'attempts', attempts, 'lost_deliveries', lost, 'error_kind', ARGV[4], 'error_message', message,
      'updated_at', now)
    if target == 'scheduled' then
      local runAt = now + tonumber(ARGV[6])
      redis.call('HSET', KEYS[1], 'state', 'scheduled', 'run_at', runAt)
      redis.call('ZADD', KEYS[3], runAt, id)
      event(KEYS[6], ARGV[9], id, 'retry_scheduled', 'scheduled', 'error_kind', ARGV[4], 'message', message, 'run_at', runAt)
    elseif target == 'failed' then
      terminal(KEYS[1], KEYS[4], ARGV[7], KEYS[7], id, 'failed')
      event(KEYS[6], ARGV[9], id, 'failed', 'failed', 'error_kind', ARGV[4], 'message', message)
    else
      terminal(KEYS[1], KEYS[5], ARGV[8], KEYS[7], id, 'dead')
      event(KEYS[6], ARGV[9], id, 'dead', 'dead', 'error_kind', ARGV[4], 'message', message)
    end
    return {target, attempts}
    """)

    /// A running job whose cancel the worker has carried out.
    /// KEYS: job, active, cancelled, events, idempotency.  ARGV: id, token, ttl s, events cap.
    static let finishCancelled = script("finish-cancelled", """
    local id = ARGV[1]
    local f = redis.call('HMGET', KEYS[1], 'state', 'lease_token')
    if f[2] ~= ARGV[2] then return 'stale' end
    if f[1] ~= 'active' then return 'already' end
    redis.call('ZREM', KEYS[2], id)
    terminal(KEYS[1], KEYS[3], ARGV[3], KEYS[5], id, 'cancelled')
    event(KEYS[4], ARGV[4], id, 'cancelled', 'cancelled')
    return 'ok'
    """)

    /// KEYS: job, pending, scheduled, cancelled, events, idempotency
    /// ARGV: id, ttl s, events cap, cancel channel
    /// Returns {'cancelled'} | {'cancelling'} | {'terminal', state} | {'missing'}.
    static let cancel = script("cancel", """
    local id = ARGV[1]
    local state = redis.call('HGET', KEYS[1], 'state')
    if not state then return {'missing'} end
    if state == 'queued' or state == 'scheduled' then
      redis.call('LREM', KEYS[2], 0, id)
      redis.call('ZREM', KEYS[3], id)
      terminal(KEYS[1], KEYS[4], ARGV[2], KEYS[6], id, 'cancelled')
      event(KEYS[5], ARGV[3], id, 'cancelled', 'cancelled')
      return {'cancelled'}
    elseif state == 'active' then
      redis.call('HSET', KEYS[1], 'cancel_requested', 1, 'updated_at', now)
      event(KEYS[5], ARGV[3], id, 'cancel_requested', 'active')
      redis.call('PUBLISH', ARGV[4], id)
      return {'cancelling'}
    end
    return {'terminal', state}
    """)

    /// Put a failed, dead or cancelled job back to pending with fresh counters, holding its
    /// idempotency key again unless another job took it meanwhile.
    /// KEYS: job, dead, failed, cancelled, pending, events, wake, idempotency.  ARGV: id, events cap, wake cap.
    /// Returns {'queued', previous state, key registered (1/0)} | {'refused', state} | {'missing'}.
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
    redis.call('HSET', KEYS[1], 'state', 'queued', 'attempts', 0, 'deliveries', 0, 'lost_deliveries', 0, 'releases', 0, 'progress', 0,
      'stage', '', 'updated_at', now, 'run_at', now)
    local registered = 0
    local key = redis.call('HGET', KEYS[1], 'idempotency_key')
    if key and key ~= '' and not redis.call('HGET', KEYS[8], key) then
      redis.call('HSET', KEYS[8], key, id)
      registered = 1
    end
    redis.call('LPUSH', KEYS[5], id)
    wake(KEYS[7], tonumber(ARGV[3]), id)
    event(KEYS[6], ARGV[2], id, 'retried', 'queued', 'from', state)
    return {'queued', state, registered}
    """)

    /// A stopping worker may have taken a wake token it will not act on: put one back for any
    /// queue with work waiting, so another idle worker looks. (A spare token costs one empty claim.)
    /// KEYS: pending, wake.  Returns 1 when a token was pushed.
    static let nudge = script("nudge", """
    if redis.call('LLEN', KEYS[1]) > 0 and redis.call('LLEN', KEYS[2]) == 0 then
      redis.call('LPUSH', KEYS[2], redis.call('LINDEX', KEYS[1], -1))
      return 1
    end
    return 0
    """)

    static var all: [RedisScript] {
        [submit, claimNext, heartbeat, progress, complete, completeAndClaim, fail, release, finishCancelled, cancel, retry, promote,
         reap, reclaim, alive, trim, nudge]
    }
}
