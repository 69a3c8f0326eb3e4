import MMPRedis

/// The queue's Lua scripts. Each is one atomic transition (design §3.1); each touches only the
/// keys passed in KEYS (§3.6); every write on behalf of a worker checks the lease token (§3.3).
/// Time comes from the Redis server (TIME), so workers' clocks never decide a lease.
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

    /// Leasing a taken id, and completing a job: shared by `claim`, `complete` and
    /// `complete-and-claim`.
    static let leaseFunctions = """
    local function do_claim(job, claiming, active, events, seen, id, worker, token, lease, cap)
      local f = redis.call('HMGET', job, 'state', 'lease_token', 'payload', 'attempts', 'max_attempts', 'max_deliveries',
        'timeout_ms', 'kind', 'deliveries')
      if redis.call('LREM', claiming, -1, id) == 0 then
        -- Not there: taken by another worker, recovered by the reaper, or this very claim sent
        -- again after its reply was lost (then it is ours already).
        if f[1] ~= 'active' or f[2] ~= token then return {'gone'} end
      else
        -- (A `claiming-seen` entry left behind is dropped by the reaper's next pass.)
        if not f[1] then return {'missing'} end
        if f[1] ~= 'queued' then return {'skip', f[1]} end
        local expires = now + tonumber(lease)
        f[9] = tostring(tonumber(f[9] or '0') + 1)
        redis.call('HSET', job, 'state', 'active', 'worker', worker, 'lease_token', token, 'lease_expires_at', expires,
          'started_at', now, 'started_us', now_us, 'updated_at', now, 'progress', 0, 'stage', '', 'deliveries', f[9])
        redis.call('ZADD', active, expires, id)
        event(events, cap, id, 'started', 'active', 'worker', worker, 'delivery', f[9])
      end
      return {'ok', f[3] or '', f[4] or '0', f[5] or '0', f[6] or '0', f[7] or '0', f[9] or '1', f[8] or '', {}}
    end
    local function reserve(pending, claiming, count)
      local ids = {}
      for _ = 1, count do
        local id = redis.call('LMOVE', pending, claiming, 'RIGHT', 'LEFT')
        if not id then break end
        ids[#ids + 1] = id
      end
      return ids
    end
    local function do_complete(job, active, succeeded, events, idem, id, token, result, ttl, cap, indexCap)
      local f = redis.call('HMGET', job, 'state', 'lease_token', 'attempts', 'idempotency_key')
      if f[2] ~= token then return 'stale' end
      if f[1] == 'succeeded' then return 'already' end
      if f[1] ~= 'active' then return 'stale' end
      redis.call('ZREM', active, id)
      redis.call('HSET', job, 'state', 'succeeded', 'finished_at', now, 'updated_at', now, 'progress', 1, 'result', result,
        'attempts', tonumber(f[3] or '0') + 1)
      redis.call('ZADD', succeeded, now, id)
      redis.call('EXPIRE', job, ttl)
      if f[4] and f[4] ~= '' and redis.call('HGET', idem, f[4]) == id then redis.call('HDEL', idem, f[4]) end
      cap_index(succeeded, tonumber(indexCap))
      event(events, cap, id, 'succeeded', 'succeeded')
      return 'ok'
    end

    """

    /// KEYS: job, claiming, active, events, claiming-seen, pending
    /// ARGV: id, worker, token, lease ms, events cap, reserve (how many next ids, 0 for none)
    /// Returns {'ok', payload, attempts, max_attempts, max_deliveries, timeout_ms, deliveries, kind,
    /// {reserved ids}} or {'gone'} (someone else took it), {'missing'} (no record), {'skip', state}
    /// (cancelled meanwhile). A job that runs inline (`noop`: microseconds) also moves up to
    /// `reserve` next pending ids to `claiming` for this worker, which leases them together with
    /// this job's completion (`complete-and-claim`).
    static let claim = RedisScript(name: "claim", source: prelude + leaseFunctions + """
    local r = do_claim(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
    if r[1] == 'ok' and r[8] == 'noop' and tonumber(ARGV[6]) > 0 then r[9] = reserve(KEYS[6], KEYS[2], tonumber(ARGV[6])) end
    return r
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

    /// KEYS: job, active, succeeded, events, idempotency, pending, claiming
    /// ARGV: id, token, result JSON, ttl s, events cap, index cap, take next (1/0)
    /// Returns {'ok' | 'already' | 'stale', next id or ''}. With take-next, the next pending id
    /// moves to `claiming` in the same step, saving the worker a round trip.
    static let complete = RedisScript(name: "complete", source: prelude + leaseFunctions + """
    local status = do_complete(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
    local nextId = ''
    if status ~= 'stale' and ARGV[7] == '1' then nextId = redis.call('LMOVE', KEYS[6], KEYS[7], 'RIGHT', 'LEFT') or '' end
    return {status, nextId}
    """)

    /// Completes a batch of inline jobs and leases the ids this worker reserved, in one step: one
    /// round trip for many no-op jobs. Reserved ids of jobs that run in a child go back to the
    /// front of pending for a normal claim (and end the batch). When anything was leased and
    /// nothing went back, reserves the next ids.
    /// KEYS: active, succeeded, events, idempotency, pending, claiming, claiming-seen,
    ///       n job keys to complete, m job keys to claim
    /// ARGV: n, m, ttl s, events cap, index cap, worker, lease ms, reserve count,
    ///       n x (id, token, result JSON), m x (id, token)
    /// Returns {{status per completion}, {claim reply per id, or {'returned'}}, {reserved ids}}.
    static let completeAndClaim = RedisScript(name: "complete-and-claim", source: prelude + leaseFunctions + """
    local n, m = tonumber(ARGV[1]), tonumber(ARGV[2])
    local statuses = {}
    for i = 1, n do
      local a = 8 + (i - 1) * 3
      statuses[i] = do_complete(KEYS[7 + i], KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3],
        ARGV[3], ARGV[4], ARGV[5])
    end
    local claims = {}
    local leased = false
    local returned = {}
    for j = 1, m do
      local a = 8 + n * 3 + (j - 1) * 2
      local id, job = ARGV[a + 1], KEYS[7 + n + j]
      local kind = redis.call('HGET', job, 'kind')
      if kind and kind ~= 'noop' then
        if redis.call('LREM', KEYS[6], -1, id) == 1 then returned[#returned + 1] = id end
        claims[j] = {'returned'}
      else
        claims[j] = do_claim(job, KEYS[6], KEYS[1], KEYS[3], KEYS[7], id, ARGV[6], ARGV[a + 2], ARGV[7], ARGV[4])
        if claims[j][1] == 'ok' then leased = true end
      end
    end
    -- Back to the front of pending in their original order (the oldest ends up first in line).
    for j = #returned, 1, -1 do redis.call('RPUSH', KEYS[5], returned[j]) end
    -- The batch goes on while the queue gives inline jobs only: a job for a child at the front
    -- ends it, so that job is claimed next, in order, instead of bouncing.
    local reserved = {}
    if leased and #returned == 0 then reserved = reserve(KEYS[5], KEYS[6], tonumber(ARGV[8])) end
    return {statuses, claims, reserved}
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

    /// KEYS: job, pending, claiming, scheduled, cancelled, events, idempotency
    /// ARGV: id, ttl s, events cap, index cap, cancel channel
    /// Returns {'cancelled'} | {'cancelling'} | {'terminal', state} | {'missing'}.
    static let cancel = script("cancel", """
    local id = ARGV[1]
    local state = redis.call('HGET', KEYS[1], 'state')
    if not state then return {'missing'} end
    if state == 'queued' or state == 'scheduled' then
      redis.call('LREM', KEYS[2], 0, id)
      redis.call('LREM', KEYS[3], 0, id)
      redis.call('ZREM', KEYS[4], id)
      terminal(KEYS[1], KEYS[5], ARGV[2], KEYS[7], id, 'cancelled')
      cap_index(KEYS[5], tonumber(ARGV[4]))
      event(KEYS[6], ARGV[3], id, 'cancelled', 'cancelled')
      return {'cancelled'}
    elseif state == 'active' then
      redis.call('HSET', KEYS[1], 'cancel_requested', 1, 'updated_at', now)
      event(KEYS[6], ARGV[3], id, 'cancel_requested', 'active')
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

    /// Ids stuck between "taken" and "leased" (their worker died in between) go back to pending.
    /// KEYS: claiming, claiming-seen, pending, wake.  ARGV: grace ms, wake cap.  Returns how many moved.
    static let recoverClaiming = script("recover-claiming", """
    local ids = redis.call('LRANGE', KEYS[1], 0, -1)
    local seen = {}
    local flat = redis.call('HGETALL', KEYS[2])
    for i = 1, #flat, 2 do seen[flat[i]] = tonumber(flat[i + 1]) end
    local present = {}
    local moved = 0
    for _, id in ipairs(ids) do
      present[id] = true
      if seen[id] then
        if now - seen[id] > tonumber(ARGV[1]) then
          redis.call('LREM', KEYS[1], 1, id)
          redis.call('RPUSH', KEYS[3], id)
          redis.call('HDEL', KEYS[2], id)
          moved = moved + 1
        end
      else
        redis.call('HSET', KEYS[2], id, now)
      end
    end
    for id, _ in pairs(seen) do
      if not present[id] then redis.call('HDEL', KEYS[2], id) end
    end
    if moved > 0 then wake(KEYS[4], tonumber(ARGV[2])) end
    return moved
    """)

    /// An entry of the pending list that is no job (a raw payload pushed by something else, or an
    /// id whose record is gone) becomes a dead record under a new id, with the reason.
    /// KEYS: claiming, job (new id), dead, events.  ARGV: raw entry, new id, reason, dead ttl, events cap, dead cap, queue, excerpt
    static let buryRaw = script("bury-raw", """
    redis.call('LREM', KEYS[1], -1, ARGV[1])
    redis.call('HSET', KEYS[2], 'id', ARGV[2], 'queue', ARGV[7], 'kind', 'unknown', 'recipe', '', 'payload', ARGV[8],
      'state', 'dead', 'attempts', 0, 'deliveries', 1, 'progress', 0, 'created_at', now, 'updated_at', now,
      'finished_at', now, 'error_kind', 'invalid_input', 'error_message', ARGV[3])
    redis.call('ZADD', KEYS[3], now, ARGV[2])
    redis.call('EXPIRE', KEYS[2], ARGV[4])
    cap_index(KEYS[3], tonumber(ARGV[6]))
    event(KEYS[4], ARGV[5], ARGV[2], 'dead', 'dead', 'error_kind', 'invalid_input', 'message', ARGV[3])
    return 'ok'
    """)

    /// A taken id goes back to the front of pending (the worker is stopping before it claimed).
    /// KEYS: claiming, pending, wake.  ARGV: id, wake cap.
    static let untake = script("untake", """
    if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 1 then
      redis.call('RPUSH', KEYS[2], ARGV[1])
      wake(KEYS[3], tonumber(ARGV[2]))
      return 1
    end
    return 0
    """)

    static var all: [RedisScript] {
        [submit, claim, heartbeat, progress, complete, completeAndClaim, fail, release, finishCancelled, cancel, retry, promote, reap,
         recoverClaiming, buryRaw, untake]
    }
}
