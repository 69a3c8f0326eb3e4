import MMPRedis

/// Scripts that end leases without a verdict (shutdown release, lease expiry, a dead worker),
/// move due jobs, keep workers' liveness and trim the terminal indexes.
extension QueueScripts {
    /// A lease that ended without a verdict: the job's worker died, or its lease expired. Counts
    /// a lost delivery; at `max_deliveries` the job is dead with the reason; a job whose cancel
    /// was requested is cancelled; otherwise it goes back to the front of `pending`. The caller
    /// has removed it from `active`. `k`: pending, dead, cancelled, events, idem, events cap,
    /// result ttl, dead ttl. Returns 'requeued', 'dead', 'cancelled', or nil when not active.
    static let leaseFunctions = """
    local function lose_lease(k, job, id, kind, why)
      local f = redis.call('HMGET', job, 'state', 'lost_deliveries', 'max_deliveries', 'cancel_requested', 'worker')
      if f[1] ~= 'active' then return nil end
      local worker = f[5] or '?'
      redis.call('HSET', job, 'lease_token', '', 'lease_expires_at', '')
      if f[4] == '1' then
        terminal(job, k.cancelled, k.result_ttl, k.idem, id, 'cancelled')
        event(k.events, k.cap, id, 'cancelled', 'cancelled', 'reason', why .. ' ' .. worker)
        return 'cancelled'
      end
      local lost = tonumber(f[2] or '0') + 1
      local max = tonumber(f[3] or '1')
      if lost >= max then
        local message = why .. ' ' .. worker .. ' (delivery cap of ' .. max .. ' reached)'
        redis.call('HSET', job, 'lost_deliveries', lost, 'error_kind', kind, 'error_message', message)
        terminal(job, k.dead, k.dead_ttl, k.idem, id, 'dead')
        event(k.events, k.cap, id, 'dead', 'dead', 'error_kind', kind, 'message', message)
        return 'dead'
      end
      redis.call('HSET', job, 'state', 'queued', 'worker', '', 'progress', 0, 'stage', '', 'updated_at', now, 'lost_deliveries', lost)
      redis.call('RPUSH', k.pending, id)
      event(k.events, k.cap, id, kind, 'queued', 'worker', worker)
      return 'requeued'
    end

    """

    static func leaseScript(_ name: String, flags: Flags = .writes, _ body: String) -> RedisScript {
        RedisScript(name: name, source: shebang(flags) + prelude + leaseFunctions + body)
    }

    /// Shutdown: give a running job back. The first `max_releases` releases of a job spend
    /// nothing; past them each counts as a delivery without a verdict and says so in the record
    /// (a job longer than the workers' grace must not be released forever by scale-ins). A job
    /// whose cancel was requested is cancelled instead.
    /// KEYS: job, active, pending, events, wake, cancelled, dead, idempotency
    /// ARGV: id, token, events cap, wake cap, max releases, result ttl s, dead ttl s
    /// Returns {'requeued', releases} (nothing spent), {'counted', releases}, {'dead', releases},
    /// {'cancelled'} or {'stale'}.
    static let release = script("release", """
    local id = ARGV[1]
    local f = redis.call('HMGET', KEYS[1], 'state', 'lease_token', 'cancel_requested', 'releases', 'lost_deliveries', 'max_deliveries')
    if f[1] ~= 'active' or f[2] ~= ARGV[2] then return {'stale'} end
    redis.call('ZREM', KEYS[2], id)
    redis.call('HSET', KEYS[1], 'lease_token', '', 'lease_expires_at', '', 'updated_at', now)
    if f[3] == '1' then
      terminal(KEYS[1], KEYS[6], ARGV[6], KEYS[8], id, 'cancelled')
      event(KEYS[4], ARGV[3], id, 'cancelled', 'cancelled', 'reason', 'worker shutdown')
      return {'cancelled'}
    end
    local releases = tonumber(f[4] or '0') + 1
    local status = 'requeued'
    local fields = {'state', 'queued', 'worker', '', 'progress', 0, 'stage', '', 'releases', releases}
    if releases <= tonumber(ARGV[5]) then
      redis.call('HINCRBY', KEYS[1], 'deliveries', -1)
    else
      local lost = tonumber(f[5] or '0') + 1
      local max = tonumber(f[6] or '1')
      local message = 'released ' .. releases .. ' times by stopping workers: the job runs longer than their grace period'
      if lost >= max then
        message = message .. ' (delivery cap of ' .. max .. ' reached)'
        redis.call('HSET', KEYS[1], 'lost_deliveries', lost, 'releases', releases, 'error_kind', 'released', 'error_message', message)
        terminal(KEYS[1], KEYS[7], ARGV[7], KEYS[8], id, 'dead')
        event(KEYS[4], ARGV[3], id, 'dead', 'dead', 'error_kind', 'released', 'message', message)
        return {'dead', releases}
      end
      status = 'counted'
      for _, v in ipairs({'lost_deliveries', lost, 'error_kind', 'released', 'error_message', message}) do fields[#fields + 1] = v end
    end
    redis.call('HSET', KEYS[1], unpack(fields))
    redis.call('RPUSH', KEYS[3], id)
    wake(KEYS[5], tonumber(ARGV[4]), id)
    event(KEYS[4], ARGV[3], id, 'requeued', 'queued', 'reason', 'worker shutdown', 'releases', releases)
    return {status, releases}
    """)

    /// Due scheduled jobs to pending. KEYS: scheduled, pending, events, wake, job1, job2...
    /// ARGV: events cap, wake cap, id1, id2... Returns how many moved.
    static let promote = script("promote", """
    local moved = 0
    local first
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
          first = first or id
        end
      end
    end
    if moved > 0 then wake(KEYS[4], tonumber(ARGV[2]), first) end
    return moved
    """)

    /// Expired leases. KEYS: active, pending, dead, cancelled, events, idempotency, wake, job1, job2...
    /// ARGV: events cap, wake cap, result ttl, dead ttl, id1, id2...
    /// Returns {requeued, dead, cancelled}.
    static let reap = leaseScript("reap", """
    local k = {pending = KEYS[2], dead = KEYS[3], cancelled = KEYS[4], events = KEYS[5], idem = KEYS[6], cap = ARGV[1],
      result_ttl = ARGV[3], dead_ttl = ARGV[4]}
    local counts = {requeued = 0, dead = 0, cancelled = 0}
    for i = 8, #KEYS do
      local id = ARGV[i - 3]
      local expires = redis.call('ZSCORE', KEYS[1], id)
      if expires and tonumber(expires) <= now then
        redis.call('ZREM', KEYS[1], id)
        local r = lose_lease(k, KEYS[i], id, 'lease_expired', 'lease expired on worker')
        if r then counts[r] = counts[r] + 1 end
      end
    end
    if counts.requeued > 0 then wake(KEYS[7], tonumber(ARGV[2]), redis.call('LINDEX', KEYS[2], -1)) end
    return {counts.requeued, counts.dead, counts.cancelled}
    """)

    /// The leases of workers whose liveness ran out (a worker killed, its machine lost): taken
    /// back at once rather than when each lease expires. A worker that was only slow finds its
    /// writes refused by the lease token. Only jobs still active under a worker still past its
    /// liveness deadline are taken; with `forget` = '1' (the client listed every active job of
    /// the queue) those workers leave the liveness set.
    /// KEYS: active, pending, dead, cancelled, events, idempotency, wake, alive, job1, job2...
    /// ARGV: events cap, wake cap, result ttl, dead ttl, forget, worker count m, worker1..m, id1, id2...
    /// Returns {requeued, dead, cancelled}.
    static let reclaim = leaseScript("reclaim", """
    local k = {pending = KEYS[2], dead = KEYS[3], cancelled = KEYS[4], events = KEYS[5], idem = KEYS[6], cap = ARGV[1],
      result_ttl = ARGV[3], dead_ttl = ARGV[4]}
    local m = tonumber(ARGV[6])
    local gone = {}
    for i = 1, m do
      local w = ARGV[6 + i]
      local deadline = redis.call('ZSCORE', KEYS[8], w)
      if deadline and tonumber(deadline) < now then gone[w] = true end
    end
    local counts = {requeued = 0, dead = 0, cancelled = 0}
    for i = 9, #KEYS do
      local id = ARGV[6 + m + i - 8]
      local owner = redis.call('HGET', KEYS[i], 'worker')
      if owner and gone[owner] and redis.call('ZSCORE', KEYS[1], id) then
        redis.call('ZREM', KEYS[1], id)
        local r = lose_lease(k, KEYS[i], id, 'worker_lost', 'no liveness from worker')
        if r then counts[r] = counts[r] + 1 end
      end
    end
    if ARGV[5] == '1' then
      for w, _ in pairs(gone) do redis.call('ZREM', KEYS[8], w) end
    end
    if counts.requeued > 0 then wake(KEYS[7], tonumber(ARGV[2]), redis.call('LINDEX', KEYS[2], -1)) end
    return {counts.requeued, counts.dead, counts.cancelled}
    """)

    /// A worker's liveness on one queue: its deadline (now + ttl) in `P:{Q}:alive`. Returns
    /// {since, {dead workers...}}: `since` is the server time from which this worker has
    /// refreshed without a gap (the caller passes it back next time; 0 when it does not know
    /// it). Workers past their deadline are reported only once the caller has itself been live
    /// for a whole ttl: after a Redis restart (or the caller's own start) every live worker gets
    /// that long to refresh before anyone is judged by a deadline from before.
    /// KEYS: alive.  ARGV: worker, ttl ms, since.
    static let alive = script("alive", flags: .writesEvenWhenFull, """
    local ttl = tonumber(ARGV[2])
    local previous = redis.call('ZSCORE', KEYS[1], ARGV[1])
    redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
    local since = tonumber(ARGV[3])
    if not previous or tonumber(previous) < now or since <= 0 or since > now then return {now, {}} end
    if now - since < ttl then return {since, {}} end
    return {since, redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)}
    """)

    /// Index entries past a cap, and their records (memory bound, design §3.7): the caller lists
    /// the oldest entries over the cap; each still in the index leaves it, and its record goes
    /// too when it is still in the index's state (a retried job's record stays).
    /// KEYS: index, job1, job2...  ARGV: state, id1, id2...  Returns how many records were deleted.
    static let trim = script("trim", flags: .writesEvenWhenFull, """
    local deleted = 0
    for i = 2, #KEYS do
      local id = ARGV[i]
      if redis.call('ZREM', KEYS[1], id) == 1 and redis.call('HGET', KEYS[i], 'state') == ARGV[1] then
        deleted = deleted + redis.call('DEL', KEYS[i])
      end
    end
    return deleted
    """)
}
