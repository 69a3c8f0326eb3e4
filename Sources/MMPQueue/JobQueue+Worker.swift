import MMPCore
import MMPRedis

/// A worker's hold on one job: every write about the job carries `token` (design §3.3).
public struct Lease: Sendable, Hashable {
    public let queue: String
    public let id: String
    public let token: String

    public init(queue: String, id: String, token: String) {
        self.queue = queue; self.id = id; self.token = token
    }
}

/// One job a claim leased to this worker.
public struct ClaimedJob: Sendable, Equatable {
    public let lease: Lease
    /// The payload text as stored (parsed by the worker, so a malformed one can go to dead).
    public let payloadText: String
    /// The record's kind; nil when it names no kind this version knows (the worker then finds
    /// the payload malformed and records it dead).
    public let kind: JobPayload.Kind?
    public let attempts: Int
    public let maxAttempts: Int
    public let deliveries: Int
    public let maxDeliveries: Int
    /// Seconds; 0 means none.
    public let timeout: Double

    public init(lease: Lease, payloadText: String, kind: JobPayload.Kind?, attempts: Int = 0, maxAttempts: Int = 1, deliveries: Int = 1,
                maxDeliveries: Int = 1, timeout: Double = 0) {
        self.lease = lease; self.payloadText = payloadText; self.kind = kind; self.attempts = attempts; self.maxAttempts = maxAttempts
        self.deliveries = deliveries; self.maxDeliveries = maxDeliveries; self.timeout = timeout
    }

    /// No-op jobs run inside the worker, in batches; every other kind in a child process.
    public var runsInline: Bool { kind == .noop }
}

/// What a worker asks of a claim.
public struct ClaimRequest: Sendable {
    public var worker: String
    /// The first job's lease token; the others of a batch get `<token>.2`, `<token>.3`, ...
    public var token: String
    /// Most jobs to lease: more than one only while the queue gives inline (no-op) jobs.
    public var batch: Int
    /// The entries the worker expects at the tail of `pending`, oldest first: the previous
    /// claim's `peek`, or a wake token. Empty: the claim reads the tail first (one more round trip).
    public var candidates: [String]

    public init(worker: String, token: String, batch: Int = 1, candidates: [String] = []) {
        self.worker = worker; self.token = token; self.batch = batch; self.candidates = candidates
    }
}

/// What one claim step did.
public struct Claim: Sendable {
    /// Leased to this worker in this step, oldest first.
    public var jobs: [ClaimedJob] = []
    /// Malformed pending entries met on the way, now dead records.
    public var buried: [BuriedEntry] = []
    /// The tail of `pending` after this step, oldest first: the next claim's candidates.
    public var peek: [String] = []

    public struct BuriedEntry: Sendable, Equatable {
        /// The dead record's id (a new one for an entry that was no job id).
        public var id: String
        public var reason: String
    }

    public init() {}
}

/// The worker's side: claiming, renewing and finishing jobs.
extension JobQueue {
    /// Waits on the wake lists of `queues` (one BLPOP, in their order) up to `timeout` seconds;
    /// returns the queue whose token it took and the token, or nil on timeout. Moves no job: the
    /// worker claims next (`claim`), with the token as its candidate when it is a job id (submit,
    /// release and the claims leave the next job's id as the token), and a token that finds
    /// nothing is harmless.
    public func waitForWork(_ queues: [String], timeout: Double) throws -> (queue: String, token: String)? {
        var cmd = RedisCommand("BLPOP")
        for q in queues { cmd.append(keys(q).wake) }
        cmd.append(JobQueue.seconds(timeout))
        let reply = try redis.send(cmd, blockSeconds: timeout)
        if let e = reply.errorMessage { throw MMPError.redisReply(e, endpoint: redis.settings.endpoint, what: "BLPOP") }
        if reply.isNull { return nil }
        guard let parts = reply.array, parts.count == 2, let key = parts[0].string, let queue = queues.first(where: { keys($0).wake == key })
        else { throw unexpected("BLPOP", reply) }
        return (queue, parts[1].string ?? "")
    }

    static func seconds(_ value: Double) -> String {
        let ms = Int((value * 1000).rounded())
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - String(ms % 1000).count))\(ms % 1000)"
    }

    /// How many entries a claim of `batch` jobs asks back as its peek: twice the batch, so that
    /// two workers draining one queue take alternate stretches of it instead of the same one.
    static func peekSize(batch: Int) -> Int { max(2, 2 * batch) }

    /// Leases the oldest pending job of `queue` to the worker in one atomic step (design §3.2), or
    /// a batch of inline jobs; malformed entries met on the way become dead records. One round
    /// trip when the request's candidates are the tail (a wake token, the previous claim's
    /// peek); otherwise it tries again with the fresh tail the script returns. An empty claim
    /// means nothing was pending.
    public func claim(queue: String, _ request: ClaimRequest) throws -> Claim {
        var request = request
        var claim = Claim()
        // Without candidates the first call leases nothing and learns the tail (and, on an
        // empty queue, drops the wake tokens left: idle workers then block until work comes).
        for _ in 0..<8 {
            let (keyList, args) = claimBlock(queue: queue, request)
            let step = try parseClaim(try run(QueueScripts.claimNext, keys: keyList, arguments: args), queue: queue, what: "claim-next")
            claim.jobs += step.jobs
            claim.buried += step.buried
            claim.peek = step.peek
            // Leased something, or the list is empty, or it made a dead record (one per call):
            // the caller decides what next.
            if !claim.jobs.isEmpty || !step.buried.isEmpty || step.peek.isEmpty { break }
            request.candidates = step.peek
        }
        return claim
    }

    /// The leading KEYS and ARGV every claim script takes (ClaimScripts.swift); `request` nil
    /// claims nothing (the script still returns a peek).
    func claimBlock(queue: String, _ request: ClaimRequest?) -> (keys: [String], arguments: [String]) {
        let k = keys(queue)
        let count = max(0, request?.batch ?? 0)
        let candidates = request?.candidates ?? []
        let spare = JobID.make(queue: queue, milliseconds: Clock.nowMillis())
        var keyList = [k.pending, k.active, k.events, k.wake, k.dead, k.idempotency, k.job(spare)]
        for entry in candidates { keyList.append(JobID.queue(of: entry) == queue ? k.job(entry) : k.job(spare)) }
        var args = [String(count), queue, request?.worker ?? "", request?.token ?? "", settings.leaseMillis, String(settings.eventsCap),
                    String(Int(settings.deadTTL)), spare, String(candidates.count), String(JobQueue.peekSize(batch: max(1, count)))]
        args += candidates
        return (keyList, args)
    }

    func parseClaim(_ reply: RedisReply, queue: String, what: String) throws -> Claim {
        guard let parts = reply.array, parts.count == 3, let leased = parts[0].array, let buried = parts[1].array, let peek = parts[2].array
        else { throw unexpected(what, reply) }
        var claim = Claim()
        for item in leased {
            let f = (item.array ?? []).map { $0.string ?? "" }
            guard f.count >= 9 else { throw unexpected(what, reply) }
            claim.jobs.append(ClaimedJob(lease: Lease(queue: queue, id: f[0], token: f[1]), payloadText: f[2], kind: JobPayload.Kind(rawValue: f[8]),
                                         attempts: Int(f[3]) ?? 0, maxAttempts: Int(f[4]) ?? settings.maxAttempts,
                                         deliveries: Int(f[7]) ?? 1, maxDeliveries: Int(f[5]) ?? settings.maxDeliveries,
                                         timeout: Double(Int(f[6]) ?? 0) / 1000))
        }
        for item in buried {
            let f = (item.array ?? []).map { $0.string ?? "" }
            guard f.count >= 2 else { throw unexpected(what, reply) }
            claim.buried.append(.init(id: f[0], reason: f[1]))
        }
        claim.peek = peek.compactMap(\.string).reversed()
        return claim
    }

    /// Records inline jobs' completions and, with `next`, claims the next batch of the same
    /// queue, in one round trip (another when the expected entries were taken meanwhile).
    public func completeAndClaim(queue: String, completions: [(Lease, JSON)], next: ClaimRequest?) throws -> (completions: [WriteOutcome], next: Claim) {
        let k = keys(queue)
        var (keyList, args) = claimBlock(queue: queue, next)
        keyList.append(k.succeeded)
        keyList += completions.map { k.job($0.0.id) }
        args += [String(completions.count), String(Int(settings.resultTTL))]
        for (lease, result) in completions { args += [lease.id, lease.token, result.serialized()] }
        let reply = try run(QueueScripts.completeAndClaim, keys: keyList, arguments: args)
        guard let parts = reply.array, parts.count == 2, let statuses = parts[0].array else { throw unexpected("complete-and-claim", reply) }
        let outcomes = try statuses.map { try WriteOutcome(reply: $0, queue: self, what: "complete-and-claim") }
        guard outcomes.count == completions.count else { throw unexpected("complete-and-claim", reply) }
        var claim = try parseClaim(parts[1], queue: queue, what: "complete-and-claim")
        if var next, claim.jobs.isEmpty, claim.buried.isEmpty, !claim.peek.isEmpty, outcomes.allSatisfy({ $0 == .ok }) {
            next.candidates = claim.peek
            claim = try self.claim(queue: queue, next)
        }
        return (outcomes, claim)
    }

    public enum HeartbeatOutcome: String, Sendable {
        /// Renewed.
        case ok
        /// Renewed, and a cancel was requested: stop the job.
        case cancel
        /// No longer ours (expired and reassigned, or ended): stop the job, drop its result.
        case lost
    }

    /// Renews every lease in one round trip; says which were cancelled or lost. An error reply
    /// is thrown (Redis unavailable: the leases were not renewed), never read as renewed.
    public func heartbeat(_ leases: [Lease]) throws -> [HeartbeatOutcome] {
        let replies = try run(leases.map { l in
            let k = keys(l.queue)
            return ScriptCall(script: QueueScripts.heartbeat, keys: [k.job(l.id), k.active], arguments: [l.id, l.token, settings.leaseMillis])
        }).replies
        return try replies.map { reply in
            guard let outcome = reply.string.flatMap(HeartbeatOutcome.init(rawValue:)) else { throw unexpected("heartbeat", reply) }
            return outcome
        }
    }

    /// Records a stage or progress change. Returns false when the lease is no longer ours.
    @discardableResult
    public func progress(_ lease: Lease, event: String, stage: String, progress: Double?) throws -> Bool {
        let k = keys(lease.queue)
        let reply = try run(QueueScripts.progress, keys: [k.job(lease.id), k.events],
                            arguments: [lease.id, lease.token, event, stage, progress.map { JSON.format($0) } ?? "", String(settings.eventsCap)])
        switch reply.string {
        case "ok": return true
        case "stale": return false
        default: throw unexpected("progress", reply)
        }
    }

    public enum WriteOutcome: String, Sendable {
        /// Done now.
        case ok
        /// Done earlier by this same lease (a retried write whose first reply was lost).
        case already
        /// The lease is no longer ours: the write was rejected.
        case stale

        init(reply: RedisReply, queue: JobQueue, what: String) throws {
            guard let outcome = reply.string.flatMap(WriteOutcome.init(rawValue:)) else { throw queue.unexpected(what, reply) }
            self = outcome
        }
    }

    /// Marks the job succeeded. With `next`, also claims the worker's next job of the same queue
    /// in the same step (a busy worker needs no wait and no second round trip between jobs), only
    /// when the completion is new (`ok`). `replicas`: with `queue.durability: replicas`, how many
    /// replicas acknowledged the completion.
    public func complete(_ lease: Lease, result: JSON, next: ClaimRequest? = nil) throws -> (WriteOutcome, Claim) {
        let (outcome, claim, _) = try completeReplicated(lease, result: result, next: next)
        return (outcome, claim)
    }

    public func completeReplicated(_ lease: Lease, result: JSON, next: ClaimRequest? = nil) throws -> (WriteOutcome, Claim, replicas: Int?) {
        let k = keys(lease.queue)
        var (keyList, args) = claimBlock(queue: lease.queue, next)
        keyList += [k.job(lease.id), k.succeeded]
        args += [lease.id, lease.token, result.serialized(), String(Int(settings.resultTTL))]
        let (replies, tail) = try run([ScriptCall(script: QueueScripts.complete, keys: keyList, arguments: args)], after: replicaWait)
        guard let items = replies[0].array, items.count == 2 else { throw unexpected("complete", replies[0]) }
        let outcome = try WriteOutcome(reply: items[0], queue: self, what: "complete")
        var claim = try parseClaim(items[1], queue: lease.queue, what: "complete")
        if var next, outcome == .ok, claim.jobs.isEmpty, claim.buried.isEmpty, !claim.peek.isEmpty {
            next.candidates = claim.peek
            claim = try self.claim(queue: lease.queue, next)
        }
        return (outcome, claim, try acknowledged(tail))
    }

    public enum FailureMode: String, Sendable {
        /// Try again after a backoff, until max_attempts.
        case retry
        /// A user must fix something: failed at once.
        case permanent
        /// The child died without a verdict: counts toward the delivery cap only.
        case crash
        /// Cannot ever run (malformed payload): dead at once.
        case dead
    }

    public struct FailOutcome: Sendable, Equatable {
        public var write: WriteOutcome
        /// scheduled, failed or dead when `write` is ok; the state found when `already`.
        public var state: JobState?
        public var attempts: Int

        public init(write: WriteOutcome, state: JobState?, attempts: Int) {
            self.write = write; self.state = state; self.attempts = attempts
        }
    }

    /// Records a failure; the script decides retry (scheduled), failed or dead.
    public func fail(_ lease: Lease, mode: FailureMode, kind: String, message: String, backoff: Double) throws -> FailOutcome {
        let k = keys(lease.queue)
        let reply = try run(QueueScripts.fail, keys: [k.job(lease.id), k.active, k.scheduled, k.failed, k.dead, k.events, k.idempotency],
                            arguments: [lease.id, lease.token, mode.rawValue, kind, message, String(Int(backoff * 1000)),
                                        String(Int(settings.resultTTL)), String(Int(settings.deadTTL)), String(settings.eventsCap)])
        let items = reply.array ?? []
        switch (items.first?.string, items.count) {
        case ("stale"?, 1): return FailOutcome(write: .stale, state: nil, attempts: 0)
        case ("already"?, 2): return FailOutcome(write: .already, state: items[1].string.flatMap(JobState.init(rawValue:)), attempts: 0)
        case (let state?, 2):
            guard let s = JobState(rawValue: state), let attempts = items[1].int else { throw unexpected("fail", reply) }
            return FailOutcome(write: .ok, state: s, attempts: attempts)
        default: throw unexpected("fail", reply)
        }
    }

    public enum ReleaseOutcome: Sendable, Equatable {
        /// Back to pending, nothing spent (release number `releases`).
        case requeued(releases: Int)
        /// Back to pending, past `max_releases`: counted as a delivery without a verdict.
        case counted(releases: Int)
        /// Past `max_releases` and at the delivery cap: dead, the record says why.
        case dead(releases: Int)
        /// Its cancel had been requested: cancelled rather than given back.
        case cancelled
        /// The lease is no longer ours.
        case stale
    }

    /// Shutdown: puts a running job back to pending (design §3.9).
    public func release(_ lease: Lease) throws -> ReleaseOutcome {
        let k = keys(lease.queue)
        let reply = try run(QueueScripts.release, keys: [k.job(lease.id), k.active, k.pending, k.events, k.wake, k.cancelled, k.dead, k.idempotency],
                            arguments: [lease.id, lease.token, String(settings.eventsCap), String(settings.wakeCap), String(settings.maxReleases),
                                        String(Int(settings.resultTTL)), String(Int(settings.deadTTL))])
        let items = reply.array ?? []
        let releases = items.count > 1 ? items[1].int : nil
        switch (items.first?.string, releases) {
        case ("requeued"?, let n?): return .requeued(releases: n)
        case ("counted"?, let n?): return .counted(releases: n)
        case ("dead"?, let n?): return .dead(releases: n)
        case ("cancelled"?, nil): return .cancelled
        case ("stale"?, nil): return .stale
        default: throw unexpected("release", reply)
        }
    }

    /// A running job whose cancel was carried out.
    public func finishCancelled(_ lease: Lease) throws -> WriteOutcome {
        let k = keys(lease.queue)
        let reply = try run(QueueScripts.finishCancelled, keys: [k.job(lease.id), k.active, k.cancelled, k.events, k.idempotency],
                            arguments: [lease.id, lease.token, String(Int(settings.resultTTL)), String(settings.eventsCap)])
        return try WriteOutcome(reply: reply, queue: self, what: "finish-cancelled")
    }

    /// Puts a wake token on each of `queues` that has work waiting and none (one round trip):
    /// a stopping worker may have taken a token it will not act on.
    public func nudge(_ queues: [String]) throws {
        _ = try run(queues.map { q in
            let k = keys(q)
            return ScriptCall(script: QueueScripts.nudge, keys: [k.pending, k.wake], arguments: [])
        })
    }
}
