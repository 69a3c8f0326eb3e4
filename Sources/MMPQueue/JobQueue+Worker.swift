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
public struct ClaimedJob: Sendable {
    public let lease: Lease
    /// The payload text as stored (parsed by the worker, so a malformed one can go to dead).
    public let payloadText: String
    public let kind: String
    public let attempts: Int
    public let maxAttempts: Int
    public let deliveries: Int
    public let maxDeliveries: Int
    /// Seconds; 0 means none.
    public let timeout: Double
}

/// What a worker asks of a claim.
public struct ClaimRequest: Sendable {
    public var worker: String
    /// The first job's lease token; the others of a batch get `<token>.2`, `<token>.3`, ...
    public var token: String
    /// Most jobs to lease: more than one only while the queue gives inline (no-op) jobs.
    public var batch: Int

    public init(worker: String, token: String, batch: Int = 1) {
        self.worker = worker; self.token = token; self.batch = batch
    }
}

/// What one claim step did.
public struct Claim: Sendable {
    /// Leased to this worker in this step, oldest first.
    public var jobs: [ClaimedJob] = []
    /// Malformed pending entries met on the way, now dead records.
    public var buried: [BuriedEntry] = []

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
    /// returns the queue whose token it took, or nil on timeout. Moves no job: the worker claims
    /// next (`claim`), and a token that finds nothing is harmless.
    public func waitForWork(_ queues: [String], timeout: Double) throws -> String? {
        var cmd = RedisCommand("BLPOP")
        for q in queues { cmd.append(keys(q).wake) }
        cmd.append(JobQueue.seconds(timeout))
        let reply = try redis.send(cmd, blockSeconds: timeout)
        if let e = reply.errorMessage { throw MMPError(.connection, "redis \(redis.settings.endpoint): BLPOP refused: \(e)") }
        guard let key = reply.array?.first?.string else { return nil }
        return queues.first { keys($0).wake == key }
    }

    static func seconds(_ value: Double) -> String {
        let ms = Int((value * 1000).rounded())
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - String(ms % 1000).count))\(ms % 1000)"
    }

    /// Pops the oldest pending job of `queue` and leases it to the worker in one atomic step
    /// (design §3.2), or a batch of inline jobs; malformed entries met on the way become dead
    /// records. An empty claim means nothing was pending.
    public func claim(queue: String, _ request: ClaimRequest) throws -> Claim {
        let (keyList, args) = claimBlock(queue: queue, request)
        return parseClaim(try redis.evaluate(QueueScripts.claimNext, keys: keyList, arguments: args), queue: queue)
    }

    /// The leading KEYS and ARGV every claim script takes (ClaimScripts.swift); `request` nil
    /// claims nothing.
    func claimBlock(queue: String, _ request: ClaimRequest?) -> (keys: [String], arguments: [String]) {
        let k = keys(queue)
        let count = max(0, request?.batch ?? 0)
        let spare = count > 0 ? JobID.make(queue: queue, milliseconds: Clock.nowMillis()) : ""
        return ([k.pending, k.active, k.events, k.wake, k.dead, k.idempotency, k.jobPrefix, k.job(spare)],
                [String(count), queue, request?.worker ?? "", request?.token ?? "", settings.leaseMillis, String(settings.eventsCap),
                 String(Int(settings.deadTTL)), String(settings.deadCap), spare])
    }

    func parseClaim(_ reply: RedisReply, queue: String) -> Claim {
        let parts = reply.array ?? []
        var claim = Claim()
        for item in (parts.first?.array ?? []) {
            let f = (item.array ?? []).map { $0.string ?? "" }
            guard f.count >= 9 else { continue }
            claim.jobs.append(ClaimedJob(lease: Lease(queue: queue, id: f[0], token: f[1]), payloadText: f[2], kind: f[8],
                                         attempts: Int(f[3]) ?? 0, maxAttempts: Int(f[4]) ?? settings.maxAttempts,
                                         deliveries: Int(f[7]) ?? 1, maxDeliveries: Int(f[5]) ?? settings.maxDeliveries,
                                         timeout: Double(Int(f[6]) ?? 0) / 1000))
        }
        for item in (parts.count > 1 ? parts[1].array ?? [] : []) {
            let f = (item.array ?? []).map { $0.string ?? "" }
            if f.count >= 2 { claim.buried.append(.init(id: f[0], reason: f[1])) }
        }
        return claim
    }

    /// Records inline jobs' completions and, with `next`, claims the next batch of the same
    /// queue, in one round trip.
    public func completeAndClaim(queue: String, completions: [(Lease, JSON)], next: ClaimRequest?) throws -> (completions: [WriteOutcome], next: Claim) {
        let k = keys(queue)
        var (keyList, args) = claimBlock(queue: queue, next)
        keyList.append(k.succeeded)
        keyList += completions.map { k.job($0.0.id) }
        args += [String(completions.count), String(Int(settings.resultTTL)), String(settings.indexCap)]
        for (lease, result) in completions { args += [lease.id, lease.token, result.serialized()] }
        let reply = try redis.evaluate(QueueScripts.completeAndClaim, keys: keyList, arguments: args)
        let parts = reply.array ?? []
        let statuses = (parts.first?.array ?? []).map { WriteOutcome(rawValue: $0.string ?? "") ?? .stale }
        return (statuses, parts.count > 1 ? parseClaim(parts[1], queue: queue) : Claim())
    }

    public enum HeartbeatOutcome: String, Sendable {
        case ok, cancel, lost
    }

    /// Renews every lease in one round trip; says which were cancelled or lost.
    public func heartbeat(_ leases: [Lease]) throws -> [HeartbeatOutcome] {
        let replies = try redis.evaluatePipelined(leases.map { l in
            let k = keys(l.queue)
            return (QueueScripts.heartbeat, [k.job(l.id), k.active], [l.id, l.token, settings.leaseMillis])
        })
        return replies.map { HeartbeatOutcome(rawValue: $0.string ?? "") ?? .ok }
    }

    /// Records a stage or progress change. Returns false when the lease is no longer ours.
    @discardableResult
    public func progress(_ lease: Lease, event: String, stage: String, progress: Double?) throws -> Bool {
        let k = keys(lease.queue)
        let reply = try redis.evaluate(QueueScripts.progress, keys: [k.job(lease.id), k.events],
                                       arguments: [lease.id, lease.token, event, stage, progress.map { JSON.format($0) } ?? "", String(settings.eventsCap)])
        return reply.string == "ok"
    }

    public enum WriteOutcome: String, Sendable {
        /// Done now.
        case ok
        /// Done earlier by this same lease (a retried write whose first reply was lost).
        case already
        /// The lease is no longer ours: the write was rejected.
        case stale
    }

    /// Marks the job succeeded. With `next`, also claims the worker's next job of the same queue
    /// in the same step (a busy worker needs no wait and no second round trip between jobs).
    public func complete(_ lease: Lease, result: JSON, next: ClaimRequest? = nil) throws -> (WriteOutcome, Claim) {
        let k = keys(lease.queue)
        var (keyList, args) = claimBlock(queue: lease.queue, next)
        keyList += [k.job(lease.id), k.succeeded]
        args += [lease.id, lease.token, result.serialized(), String(Int(settings.resultTTL)), String(settings.indexCap)]
        let reply = try redis.evaluate(QueueScripts.complete, keys: keyList, arguments: args)
        let items = reply.array ?? []
        let outcome = WriteOutcome(rawValue: items.first?.string ?? "") ?? .stale
        return (outcome, items.count > 1 ? parseClaim(items[1], queue: lease.queue) : Claim())
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
        /// scheduled, failed or dead (when `write` is ok).
        public var state: String
        public var attempts: Int

        public init(write: WriteOutcome, state: String, attempts: Int) {
            self.write = write; self.state = state; self.attempts = attempts
        }
    }

    /// Records a failure; the script decides retry (scheduled), failed or dead.
    public func fail(_ lease: Lease, mode: FailureMode, kind: String, message: String, backoff: Double) throws -> FailOutcome {
        let k = keys(lease.queue)
        let reply = try redis.evaluate(QueueScripts.fail,
                                       keys: [k.job(lease.id), k.active, k.scheduled, k.failed, k.dead, k.events, k.idempotency],
                                       arguments: [lease.id, lease.token, mode.rawValue, kind, message, String(Int(backoff * 1000)),
                                                   String(Int(settings.resultTTL)), String(Int(settings.deadTTL)),
                                                   String(settings.eventsCap), String(settings.indexCap), String(settings.deadCap)])
        let items = reply.array ?? []
        switch items.first?.string {
        case "stale", nil: return FailOutcome(write: .stale, state: "", attempts: 0)
        case "already": return FailOutcome(write: .already, state: items.count > 1 ? items[1].string ?? "" : "", attempts: 0)
        case let state?: return FailOutcome(write: .ok, state: state, attempts: items.count > 1 ? items[1].int ?? 0 : 0)
        }
    }

    /// Shutdown: puts a running job back to pending without spending an attempt.
    @discardableResult
    public func release(_ lease: Lease) throws -> Bool {
        let k = keys(lease.queue)
        let reply = try redis.evaluate(QueueScripts.release, keys: [k.job(lease.id), k.active, k.pending, k.events, k.wake],
                                       arguments: [lease.id, lease.token, String(settings.eventsCap), String(settings.wakeCap)])
        return reply.string == "ok"
    }

    /// A running job whose cancel was carried out.
    public func finishCancelled(_ lease: Lease) throws -> WriteOutcome {
        let k = keys(lease.queue)
        let reply = try redis.evaluate(QueueScripts.finishCancelled, keys: [k.job(lease.id), k.active, k.cancelled, k.events, k.idempotency],
                                       arguments: [lease.id, lease.token, String(Int(settings.resultTTL)), String(settings.eventsCap), String(settings.indexCap)])
        return WriteOutcome(rawValue: reply.string ?? "") ?? .stale
    }

    /// Puts a wake token on each of `queues` that has work waiting and none (one round trip):
    /// a stopping worker may have taken a token it will not act on.
    public func nudge(_ queues: [String]) throws {
        _ = try redis.evaluatePipelined(queues.map { q in
            let k = keys(q)
            return (QueueScripts.nudge, [k.pending, k.wake], [])
        })
    }
}
