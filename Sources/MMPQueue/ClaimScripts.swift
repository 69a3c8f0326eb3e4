import MMPRedis

/// Claiming (design §3.2): a job leaves `pending` only inside these scripts, in the same step
/// that records its owner and lease. Idle workers block on the queue's wake list (BLPOP), which
/// moves no job, and then run `claim-next`; a busy worker's completion claims its next job in the
/// same script (`complete`, `complete-and-claim`).
///
/// Every key a claim touches is declared (§3.6, so Redis Cluster and servers that enforce
/// declared keys run it): the client names the entries it expects at the tail of `pending`, its
/// *candidates*, oldest first, with their records' keys. It learns them from the previous claim,
/// which returns the new tail (its *peek*), or from a read of the list. The script leases from
/// the tail only while the tail is the next candidate: entries another worker took meanwhile are
/// skipped (the tail is found further down the candidates), and a tail the client did not
/// expect ends the claim with a fresh peek, for the client to try again.
///
/// Every claim script takes the same leading block, built by `JobQueue.claimBlock`:
/// KEYS[1..7]: pending, active, events, wake, dead, idempotency, spare record (the key of a new
///             dead record, for an entry that is no job); then one key per candidate: its record
///             (the spare key again for an entry that is no job id of the queue)
/// ARGV[1..10]: how many to lease (0: none), queue, worker, token, lease ms, events cap, dead ttl s,
///              spare id, candidate count n, peek size; then the n candidates, oldest first
/// The script's own KEYS and ARGV follow the block (`c.next_key`, `c.next_arg`).
extension QueueScripts {
    static let claimFunctions = """
    local function claim_context()
      local n = tonumber(ARGV[9])
      return {count = tonumber(ARGV[1]), pending = KEYS[1], active = KEYS[2], events = KEYS[3], wake = KEYS[4],
        dead = KEYS[5], idem = KEYS[6], spare = KEYS[7], queue = ARGV[2], worker = ARGV[3], token = ARGV[4],
        lease = tonumber(ARGV[5]), cap = ARGV[6], dead_ttl = ARGV[7], spare_id = ARGV[8], n = n, peek = tonumber(ARGV[10]),
        next_key = 8 + n, next_arg = 11 + n}
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
        'state', 'dead', 'attempts', 0, 'deliveries', 1, 'lost_deliveries', 0, 'progress', 0, 'created_at', now, 'updated_at', now,
        'finished_at', now, 'error_kind', 'invalid_input', 'error_message', reason)
      redis.call('ZADD', c.dead, now, c.spare_id)
      redis.call('EXPIRE', c.spare, c.dead_ttl)
      event(c.events, c.cap, c.spare_id, 'dead', 'dead', 'error_kind', 'invalid_input', 'message', reason)
      return {c.spare_id, reason}
    end
    -- A queued job whose payload no worker could read: dead in place, with the reason.
    local function bury_record(c, job, id, f, reason)
      redis.call('HSET', job, 'deliveries', tonumber(f[8] or '0') + 1, 'error_kind', 'invalid_input', 'error_message', reason)
      terminal(job, c.dead, c.dead_ttl, c.idem, id, 'dead')
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
    -- Leases the candidates found at the tail of `pending`, oldest first: one job, or up to
    -- c.count while the queue gives inline (no-op) jobs. Malformed entries met on the way become
    -- dead records (one new record per call: its key must be declared); entries whose record
    -- says the job is elsewhere (a stray duplicate) are dropped.
    -- Returns {{leased job...}, {{dead id, reason}...}, {peek: the new tail, oldest last}}.
    local function claim_next(c)
      local leased, buried = {}, {}
      local expires = now + c.lease
      local active = {}
      local spare = true
      if c.count > 0 and c.n > 0 then
        -- One read of the tail; then each entry is popped and compared with the next candidate
        -- (one command per entry), and put back when it is not one to take.
        local tail = redis.call('LINDEX', c.pending, -1)
        -- Entries before the tail among the candidates were taken by another worker.
        local i = 1
        while tail and i <= c.n and ARGV[10 + i] ~= tail do i = i + 1 end
        while tail and i <= c.n and #leased < c.count do
          local entry = redis.call('RPOP', c.pending)
          if not entry then break end
          if entry ~= ARGV[10 + i] then
            redis.call('RPUSH', c.pending, entry)
            break
          end
          local job = KEYS[7 + i]
          local id = job_id(c, entry)
          local f
          if id then
            f = redis.call('HMGET', job, 'state', 'payload', 'kind', 'attempts', 'max_attempts', 'max_deliveries', 'timeout_ms',
              'deliveries')
          end
          -- Back to the front of the line, for the next claim: a job for a child process after a
          -- batch's inline jobs (it is leased alone, by a claim that can heartbeat it), and a
          -- second malformed entry (one new dead record per call: its key must be declared).
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
          i = i + 1
        end
      end
      if #active > 0 then redis.call('ZADD', c.active, unpack(active)) end
      -- Wake tokens follow the work: none while nothing waits (so idle workers do not wake for
      -- nothing), at least one while something does (so a burst wakes every idle worker in turn,
      -- even when the submits' tokens were trimmed at wake_cap).
      if redis.call('LLEN', c.pending) == 0 then
        redis.call('DEL', c.wake)
      elseif redis.call('LLEN', c.wake) == 0 then
        redis.call('LPUSH', c.wake, redis.call('LINDEX', c.pending, -1))
      end
      local peek = {}
      if c.peek > 0 then peek = redis.call('LRANGE', c.pending, -c.peek, -1) end
      return {leased, buried, peek}
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
    local function finish_completions(c, succeeded, done)
      if #done == 0 then return end
      redis.call('ZREM', c.active, unpack(done))
      local scored = {}
      for i, id in ipairs(done) do
        scored[2 * i - 1] = now
        scored[2 * i] = id
      end
      redis.call('ZADD', succeeded, unpack(scored))
    end

    """

    static func claimScript(_ name: String, _ body: String) -> RedisScript {
        RedisScript(name: name, source: shebang(.writes) + prelude + claimFunctions + body)
    }

    /// An idle worker's claim, after a wake token (or its block timeout). KEYS, ARGV: the claim
    /// block. Returns {{job...}, {{dead id, reason}...}, {peek}}; each job is {id, token, payload,
    /// attempts, max_attempts, max_deliveries, timeout_ms, deliveries, kind}.
    static let claimNext = claimScript("claim-next", """
    return claim_next(claim_context())
    """)

    /// Marks a job succeeded and, only when that write is new (`ok`), claims the worker's next
    /// job in the same step: a completion sent again after its reply was lost answers `already`
    /// and claims nothing, so it never leases a second job nobody will run.
    /// KEYS: the claim block, then job, succeeded.  ARGV: the claim block, then id, token, result
    /// JSON, ttl s.
    /// Returns {'ok' | 'already' | 'stale', claim reply (a peek only, when nothing was claimed)}.
    static let complete = claimScript("complete", """
    local c = claim_context()
    local done = {}
    local status = do_complete(c, KEYS[c.next_key], done, ARGV[c.next_arg], ARGV[c.next_arg + 1], ARGV[c.next_arg + 2],
      ARGV[c.next_arg + 3])
    finish_completions(c, KEYS[c.next_key + 1], done)
    if status ~= 'ok' then c.count = 0 end
    return {status, claim_next(c)}
    """)

    /// Records a batch of inline jobs' completions and claims the next batch, in one step: one
    /// round trip for many no-op jobs, each still leased before it runs and completed under its
    /// own token. Claims only when every completion is new (`ok`), as `complete` does.
    /// KEYS: the claim block, then succeeded, m job keys.
    /// ARGV: the claim block, then m, ttl s, m x (id, token, result JSON).
    /// Returns {{status per completion}, claim reply}.
    static let completeAndClaim = claimScript("complete-and-claim", """
    local c = claim_context()
    local m = tonumber(ARGV[c.next_arg])
    local ttl = ARGV[c.next_arg + 1]
    local statuses, done = {}, {}
    for i = 1, m do
      local a = c.next_arg + 2 + (i - 1) * 3
      statuses[i] = do_complete(c, KEYS[c.next_key + i], done, ARGV[a], ARGV[a + 1], ARGV[a + 2], ttl)
      if statuses[i] ~= 'ok' then c.count = 0 end
    end
    finish_completions(c, KEYS[c.next_key], done)
    return {statuses, claim_next(c)}
    """)
}
