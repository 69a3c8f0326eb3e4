import MMPRedis

/// Parents and children (issue 12): a parent job runs in *steps*. A step is an ordinary leased
/// delivery of the parent; it ends either with an ordinary verdict (the parent is done) or with
/// `spawn`, which creates the step's children (ordinary jobs, each leased, fenced, retried and
/// reaped on its own) and parks the parent in `waiting` (no lease, no worker held) in the same
/// script. `settle` recounts the children and puts the parent back in `pending` for its next
/// step when they are all terminal (`wake_on` = all) or when one more ended since the step read
/// them (`wake_on` = any: a tuning parent keeps N trials in flight). `cancel-tree` cancels a
/// parent and its children together.
///
/// Every key a script touches is declared: a parent's children are in its queue (one hash tag),
/// listed in `P:{Q}:children:<parent>`, and the client passes that list's records; a script
/// that finds the list longer than the client thought answers `changed` (read again).
extension QueueScripts {
    /// KEYS: parent, active, waiting, pending, events, wake, children list, child1..n
    /// ARGV: parent id, token, events cap, wake cap, wake_on (all | any), seen (terminal children the
    ///       step saw), n, m (common field pairs), m x (field, value), n x (id, kind, label, payload, max attempts, timeout ms)
    /// Returns {'ok', children in all} | {'stale'} | {'already', state} | {'cancelled'}.
    static let spawn = script("spawn", """
    local pid = ARGV[1]
    local f = redis.call('HMGET', KEYS[1], 'state', 'lease_token', 'cancel_requested', 'spawned_by')
    if f[2] ~= ARGV[2] then
      -- This same step's spawn sent again (its reply was lost): already done.
      if f[4] == ARGV[2] then return {'already', f[1] or ''} end
      return {'stale'}
    end
    if f[1] ~= 'active' then return {'already', f[1] or ''} end
    redis.call('ZREM', KEYS[2], pid)
    if f[3] == '1' then
      -- Cancelled while the step ran: no children; the parent ends here. Its cancelled index is
      -- not declared in this script, so the parent is parked in waiting as cancelled-pending and
      -- the next settle finishes it (cancel-tree does the same for a waiting parent).
      redis.call('HSET', KEYS[1], 'state', 'waiting', 'lease_token', '', 'lease_expires_at', '', 'worker', '', 'updated_at', now,
        'stage', 'cancelling')
      redis.call('ZADD', KEYS[3], now, pid)
      return {'cancelled'}
    end
    local n = tonumber(ARGV[7])
    local m = tonumber(ARGV[8])
    local common = {}
    for i = 1, 2 * m do common[i] = ARGV[8 + i] end
    local base = 8 + 2 * m
    for i = 1, n do
      local a = base + (i - 1) * 6
      local id = ARGV[a + 1]
      local job = KEYS[7 + i]
      if redis.call('EXISTS', job) == 1 then return redis.error_reply('ERR job id ' .. id .. ' already exists') end
      local fields = {'id', id, 'kind', ARGV[a + 2], 'recipe', ARGV[a + 3], 'payload', ARGV[a + 4], 'parent', pid,
        'state', 'queued', 'created_at', now, 'updated_at', now, 'run_at', now, 'attempts', 0, 'deliveries', 0,
        'lost_deliveries', 0, 'releases', 0, 'progress', 0, 'idempotency_key', '', 'params', '[]', 'recipe_file', '',
        'max_attempts', ARGV[a + 5], 'timeout_ms', ARGV[a + 6]}
      for j = 1, #common do fields[#fields + 1] = common[j] end
      redis.call('HSET', job, unpack(fields))
      redis.call('LPUSH', KEYS[4], id)
      redis.call('RPUSH', KEYS[7], id)
      event(KEYS[5], ARGV[3], id, 'submitted', 'queued', 'parent', pid)
    end
    if n > 0 then wake(KEYS[6], tonumber(ARGV[4]), redis.call('LINDEX', KEYS[4], -1)) end
    local total = redis.call('LLEN', KEYS[7])
    redis.call('HSET', KEYS[1], 'state', 'waiting', 'lease_token', '', 'lease_expires_at', '', 'worker', '', 'updated_at', now,
      'wake_on', ARGV[5], 'children_seen', ARGV[6], 'children', total, 'steps', tonumber(redis.call('HGET', KEYS[1], 'steps') or '0') + 1,
      'stage', 'waiting for children', 'spawned_by', ARGV[2])
    redis.call('ZADD', KEYS[3], now, pid)
    event(KEYS[5], ARGV[3], pid, 'waiting', 'waiting', 'children', total, 'spawned', n)
    return {'ok', total}
    """)

    /// Recounts a parent's children: its progress is theirs (a terminal child counts 1, a running
    /// one its own progress); a waiting parent goes back to the front of `pending` when its
    /// `wake_on` is met, or ends cancelled when a cancel reached it while it was parked.
    /// KEYS: parent, waiting, pending, wake, events, children list, cancelled, idempotency, child1..n
    /// ARGV: parent id, events cap, wake cap, n, result ttl s, child1..n
    /// Returns {outcome, terminal children, children}: outcome 'woken' | 'waiting' | 'cancelled' |
    /// 'not_waiting' | 'changed' (the list grew: read it again).
    static let settle = script("settle", """
    local pid = ARGV[1]
    local n = tonumber(ARGV[4])
    if redis.call('LLEN', KEYS[6]) ~= n then return {'changed', 0, 0} end
    local done, sum = 0, 0
    for i = 1, n do
      local s = redis.call('HMGET', KEYS[8 + i], 'state', 'progress')
      if not s[1] or s[1] == 'succeeded' or s[1] == 'failed' or s[1] == 'dead' or s[1] == 'cancelled' then
        done = done + 1
        sum = sum + 1
      else
        sum = sum + (tonumber(s[2] or '0') or 0)
      end
    end
    local p = redis.call('HMGET', KEYS[1], 'state', 'wake_on', 'children_seen', 'progress', 'cancel_requested', 'stage')
    if p[1] ~= 'waiting' then return {'not_waiting', done, n} end
    if p[6] == 'cancelling' or p[5] == '1' then
      redis.call('ZREM', KEYS[2], pid)
      terminal(KEYS[1], KEYS[7], ARGV[5], KEYS[8], pid, 'cancelled')
      event(KEYS[5], ARGV[2], pid, 'cancelled', 'cancelled')
      return {'cancelled', done, n}
    end
    local progress = 1
    if n > 0 then progress = sum / n end
    if tostring(progress) ~= p[4] then
      redis.call('HSET', KEYS[1], 'progress', progress, 'stage', 'children ' .. done .. '/' .. n .. ' done', 'updated_at', now)
      event(KEYS[5], ARGV[2], pid, 'progress', 'waiting', 'stage', 'children ' .. done .. '/' .. n .. ' done', 'progress', progress)
    end
    local seen = tonumber(p[3] or '0') or 0
    if (p[2] == 'any' and done > seen) or done == n then
      redis.call('ZREM', KEYS[2], pid)
      redis.call('HSET', KEYS[1], 'state', 'queued', 'run_at', now, 'updated_at', now)
      -- The front of the line: a parent's next step is short and unblocks its fleet.
      redis.call('RPUSH', KEYS[3], pid)
      wake(KEYS[4], tonumber(ARGV[3]), pid)
      event(KEYS[5], ARGV[2], pid, 'children_done', 'queued', 'done', done, 'children', n)
      return {'woken', done, n}
    end
    return {'waiting', done, n}
    """)

    /// Cancels a job and its children in one step: queued, scheduled and waiting ones at once,
    /// running ones by their cancel flag (their workers stop them within a heartbeat).
    /// KEYS: parent, pending, scheduled, cancelled, events, idempotency, waiting, children list, child1..n
    /// ARGV: parent id, ttl s, events cap, cancel channel, n, child1..n
    /// Returns {parent outcome (cancelled | cancelling | terminal | missing | changed), parent state,
    /// children cancelled, children cancelling}.
    static let cancelTree = script("cancel-tree", """
    local n = tonumber(ARGV[5])
    if redis.call('LLEN', KEYS[8]) ~= n then return {'changed', '', 0, 0} end
    local function cancel_one(job, id)
      local state = redis.call('HGET', job, 'state')
      if not state then return 'missing', '' end
      if state == 'queued' or state == 'scheduled' or state == 'waiting' then
        redis.call('LREM', KEYS[2], 0, id)
        redis.call('ZREM', KEYS[3], id)
        redis.call('ZREM', KEYS[7], id)
        terminal(job, KEYS[4], ARGV[2], KEYS[6], id, 'cancelled')
        event(KEYS[5], ARGV[3], id, 'cancelled', 'cancelled')
        return 'cancelled', state
      elseif state == 'active' then
        redis.call('HSET', job, 'cancel_requested', 1, 'updated_at', now)
        event(KEYS[5], ARGV[3], id, 'cancel_requested', 'active')
        redis.call('PUBLISH', ARGV[4], id)
        return 'cancelling', state
      end
      return 'terminal', state
    end
    local outcome, state = cancel_one(KEYS[1], ARGV[1])
    if outcome == 'missing' then return {'missing', '', 0, 0} end
    local cancelled, cancelling = 0, 0
    if outcome ~= 'terminal' then
      for i = 1, n do
        local o = cancel_one(KEYS[8 + i], ARGV[5 + i])
        if o == 'cancelled' then cancelled = cancelled + 1 elseif o == 'cancelling' then cancelling = cancelling + 1 end
      end
    end
    return {outcome, state, cancelled, cancelling}
    """)

    static var childScripts: [RedisScript] { [spawn, settle, cancelTree] }
}
