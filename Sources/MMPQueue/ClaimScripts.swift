import MMPRedis

/// Claiming (design §3.2): a job leaves `pending` only inside these scripts, in the same step
/// that records its owner and lease. Idle workers block on the queue's wake list (BLPOP), which
/// moves no job, and then run `claim-next`; a busy worker's completion claims its next job in the
/// same script (`complete`, `complete-and-claim`).
///
/// The id popped from `pending` is not known before the script runs, so neither is its record's
/// key: the scripts build it from `P:{Q}:job:`, which they get in KEYS. That key carries the
/// queue's hash tag, so the record lives in the slot of every declared key and Redis Cluster runs
/// the script on the node that holds it (the one departure from "every key in KEYS", §3.6).
///
/// Every claim script takes the same leading block, built by `JobQueue.claimBlock`:
/// KEYS[1..8]: pending, active, events, wake, dead, idempotency, record-key prefix, spare record
///             (the key of a new dead record, for a malformed entry)
/// ARGV[1..9]: how many to lease (0: none), queue, worker, token, lease ms, events cap,
///             dead ttl s, dead cap, spare id
extension QueueScripts {
    static let claimFunctions = """
    local function claim_context()
      return {count = tonumber(ARGV[1]), pending = KEYS[1], active = KEYS[2], events = KEYS[3], wake = KEYS[4],
        dead = KEYS[5], idem = KEYS[6], jobs = KEYS[7], spare = KEYS[8], queue = ARGV[2], worker = ARGV[3],
        token = ARGV[4], lease = tonumber(ARGV[5]), cap = ARGV[6], dead_ttl = ARGV[7], dead_cap = tonumber(ARGV[8]),
        spare_id = ARGV[9]}
    end
    -- The entry when it is a job id of this queue (20 Crockford base32 characters, '@', the queue).
    local function job_id(c, entry)
      if #entry ~= 21 + #c.queue or string.sub(entry, 21, 21) ~= '@' or string.sub(entry, 22) ~= c.queue then return nil end
      if not string.find(string.sub(entry, 1, 20), '^[0-9a-hjkmnp-tv-z]+$') then return nil end
      return entry
    end
    local function excerpt(text, n)
      local cut = string.gsub(string.sub(text, 1, n), '%c', ' ')
      if #text > n then cut = cut .. '…' end
      return cut
    end
    -- A pending entry that is no job: a new dead record (under the spare id) keeps it, cut at 4 KiB.
    local function bury_entry(c, entry, reason)
      local kept = entry
      if #entry > 4096 then kept = string.sub(entry, 1, 4096) .. '…' end
      redis.call('HSET', c.spare, 'id', c.spare_id, 'queue', c.queue, 'kind', 'unknown', 'recipe', '', 'payload', kept,
        'state', 'dead', 'attempts', 0, 'deliveries', 1, 'progress', 0, 'created_at', now, 'updated_at', now,
        'finished_at', now, 'error_kind', 'invalid_input', 'error_message', reason)
      redis.call('ZADD', c.dead, now, c.spare_id)
      redis.call('EXPIRE', c.spare, c.dead_ttl)
      cap_index(c.dead, c.dead_cap)
      event(c.events, c.cap, c.spare_id, 'dead', 'dead', 'error_kind', 'invalid_input', 'message', reason)
      return {c.spare_id, reason}
    end
    -- A queued job whose payload no worker could read: dead in place, with the reason.
    local function bury_record(c, job, id, f, reason)
      redis.call('HSET', job, 'deliveries', tonumber(f[8] or '0') + 1, 'error_kind', 'invalid_input', 'error_message', reason)
      terminal(job, c.dead, c.dead_ttl, c.idem, id, 'dead')
      cap_index(c.dead, c.dead_cap)
      event(c.events, c.cap, id, 'dead', 'dead', 'error_kind', 'invalid_input', 'message', reason)
      return {id, reason}
    end
    -- Leases one job. Its entry in `active` is added by the caller, once for the whole batch
    -- (one variadic ZADD: Redis runs every script on one thread, so commands per job are the
    -- drain's limit); `expires` is the same for every job of a batch.
    local function lease(c, job, id, f, token, expires)
      local deliveries = tonumber(f[8] or '0') + 1
      redis.call('HSET', job, 'state', 'active', 'worker', c.worker, 'lease_token', token, 'lease_expires_at', expires,
        'started_at', now, 'started_us', now_us, 'updated_at', now, 'progress', 0, 'stage', '', 'deliveries', deliveries)
      event(c.events, c.cap, id, 'started', 'active', 'worker', c.worker, 'delivery', deliveries)
      return {id, token, f[2], f[4] or '0', f[5] or '0', f[6] or '0', f[7] or '0', tostring(deliveries), f[3] or ''}
    end
    -- Pops the oldest pending entries and leases them to c.worker: one job, or up to c.count while
    -- the queue gives inline (no-op) jobs. Malformed entries met on the way become dead records;
    -- entries whose record says the job is elsewhere (a duplicate) are dropped.
    -- Returns {{leased job...}, {{dead id, reason}...}}.
    local function claim_next(c)
      local leased, buried = {}, {}
      local expires = now + c.lease
      local active = {}
      local spare = true
      local looked = 0
      while #leased < c.count and looked < c.count + 100 do
        local entry = redis.call('RPOP', c.pending)
        if not entry then break end
        looked = looked + 1
        local id = job_id(c, entry)
        local job, f
        if id then
          job = c.jobs .. id
          f = redis.call('HMGET', job, 'state', 'payload', 'kind', 'attempts', 'max_attempts', 'max_deliveries', 'timeout_ms',
            'deliveries')
        end
        -- Back to the front of the line, for the next claim: a job for a child process after a
        -- batch's inline jobs (it is leased only when a worker can heartbeat it), and a second
        -- malformed entry (one new dead record per call: its key must be declared).
        if (#leased > 0 and f and f[1] == 'queued' and f[3] ~= 'noop') or ((not id or not f[1]) and not spare) then
          redis.call('RPUSH', c.pending, entry)
          break
        end
        if not id then
          buried[#buried + 1] = bury_entry(c, entry, 'pending entry is not a job id of queue ' .. c.queue .. ' (' ..
            excerpt(entry, 80) .. '); only mmp submit may push to ' .. c.pending)
          spare = false
        elseif not f[1] then
          buried[#buried + 1] = bury_entry(c, entry, 'pending entry ' .. id .. ' has no job record (deleted or expired)')
          spare = false
        elseif f[1] == 'queued' then
          local ok, decoded = pcall(cjson.decode, f[2] or '')
          if not ok then
            buried[#buried + 1] = bury_record(c, job, id, f, 'malformed payload: invalid JSON (' .. tostring(decoded) .. ')')
          elseif type(decoded) ~= 'table' then
            buried[#buried + 1] = bury_record(c, job, id, f, 'malformed payload: not a JSON object')
          else
            local token = c.token
            if #leased > 0 then token = c.token .. '.' .. (#leased + 1) end
            leased[#leased + 1] = lease(c, job, id, f, token, expires)
            active[#active + 1] = expires
            active[#active + 1] = id
            -- A job for a child process is leased alone.
            if f[3] ~= 'noop' then break end
          end
        end
      end
      if #active > 0 then redis.call('ZADD', c.active, unpack(active)) end
      -- Wake tokens follow the work: none while nothing waits (so idle workers do not wake for
      -- nothing), at least one while something does (so a burst wakes every idle worker in turn,
      -- even when the submits' tokens were trimmed at wake_cap).
      if redis.call('LLEN', c.pending) == 0 then
        redis.call('DEL', c.wake)
      elseif redis.call('LLEN', c.wake) == 0 then
        redis.call('LPUSH', c.wake, '1')
      end
      return {leased, buried}
    end
    -- Marks one job succeeded if `token` still holds its lease, and adds its id to `done`; the
    -- index moves (out of `active`, into `succeeded`) are made for all of `done` at once by
    -- finish_completions, before the script claims anything.
    local function do_complete(c, job, done, id, token, result, ttl)
      local f = redis.call('HMGET', job, 'state', 'lease_token', 'attempts', 'idempotency_key')
      if f[2] ~= token then return 'stale' end
      if f[1] == 'succeeded' then return 'already' end
      if f[1] ~= 'active' then return 'stale' end
      redis.call('HSET', job, 'state', 'succeeded', 'finished_at', now, 'updated_at', now, 'progress', 1, 'result', result,
        'attempts', tonumber(f[3] or '0') + 1)
      redis.call('EXPIRE', job, ttl)
      if f[4] and f[4] ~= '' and redis.call('HGET', c.idem, f[4]) == id then redis.call('HDEL', c.idem, f[4]) end
      event(c.events, c.cap, id, 'succeeded', 'succeeded')
      done[#done + 1] = id
      return 'ok'
    end
    local function finish_completions(c, succeeded, done, indexCap)
      if #done == 0 then return end
      redis.call('ZREM', c.active, unpack(done))
      local scored = {}
      for i, id in ipairs(done) do
        scored[2 * i - 1] = now
        scored[2 * i] = id
      end
      redis.call('ZADD', succeeded, unpack(scored))
      cap_index(succeeded, tonumber(indexCap))
    end

    """

    static func claimScript(_ name: String, _ body: String) -> RedisScript {
        RedisScript(name: name, source: prelude + claimFunctions + body)
    }

    /// An idle worker's claim, after a wake token (or its block timeout): leases the oldest
    /// pending job, or a batch of inline jobs. KEYS, ARGV: the claim block.
    /// Returns {{job...}, {{dead id, reason}...}}; each job is {id, token, payload, attempts,
    /// max_attempts, max_deliveries, timeout_ms, deliveries, kind}.
    static let claimNext = claimScript("claim-next", """
    return claim_next(claim_context())
    """)

    /// Marks a job succeeded and, unless the write is stale, claims the worker's next job in the
    /// same step (claim count 0: none).
    /// KEYS: the claim block, then job, succeeded.  ARGV: the claim block, then id, token, result
    /// JSON, ttl s, index cap.
    /// Returns {'ok' | 'already' | 'stale', claim reply}.
    static let complete = claimScript("complete", """
    local c = claim_context()
    local done = {}
    local status = do_complete(c, KEYS[9], done, ARGV[10], ARGV[11], ARGV[12], ARGV[13])
    finish_completions(c, KEYS[10], done, ARGV[14])
    local claimed = {{}, {}}
    if status ~= 'stale' and c.count > 0 then claimed = claim_next(c) end
    return {status, claimed}
    """)

    /// Records a batch of inline jobs' completions and claims the next batch, in one step: one
    /// round trip for many no-op jobs, each still leased before it runs and completed under its
    /// own token.
    /// KEYS: the claim block, then succeeded, n job keys.
    /// ARGV: the claim block, then n, ttl s, index cap, n x (id, token, result JSON).
    /// Returns {{status per completion}, claim reply}.
    static let completeAndClaim = claimScript("complete-and-claim", """
    local c = claim_context()
    local n = tonumber(ARGV[10])
    local statuses, done = {}, {}
    for i = 1, n do
      local a = 12 + (i - 1) * 3
      statuses[i] = do_complete(c, KEYS[9 + i], done, ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[11])
    end
    finish_completions(c, KEYS[9], done, ARGV[12])
    local claimed = {{}, {}}
    if c.count > 0 then claimed = claim_next(c) end
    return {statuses, claimed}
    """)
}
