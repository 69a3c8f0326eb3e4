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

/// What a successful claim hands the worker.
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
    /// Next pending entries, moved to `claiming` for this worker along with the claim (only for
    /// jobs that run inline); `completeAndClaim` leases them with this job's completion.
    public let reserved: [String]
}

extension ClaimedJob {
    /// The same claim with no reserved ids (they were handed on or given back).
    public var withoutReserved: ClaimedJob {
        ClaimedJob(lease: lease, payloadText: payloadText, kind: kind, attempts: attempts, maxAttempts: maxAttempts,
                   deliveries: deliveries, maxDeliveries: maxDeliveries, timeout: timeout, reserved: [])
    }
}

/// The worker's side: taking, claiming, renewing and finishing jobs.
extension JobQueue {
    public enum Taken: Sendable, Equatable {
        case id(String)
        /// An entry that is no job id (pushed by something other than `mmp submit`).
        case raw(String)
    }

    static func taken(_ reply: RedisReply) -> Taken? {
        guard let text = reply.string else { return nil }
        return JobID.queue(of: text) == nil ? .raw(text) : .id(text)
    }

    /// Moves the oldest pending entry to `claiming` without waiting.
    public func take(_ queue: String) throws -> Taken? {
        let k = keys(queue)
        return JobQueue.taken(try redis.command("LMOVE", k.pending, k.claiming, "RIGHT", "LEFT"))
    }

    /// Waits on Redis (BLMOVE, no polling) up to `timeout` seconds for a pending entry.
    public func takeBlocking(_ queue: String, timeout: Double) throws -> Taken? {
        let k = keys(queue)
        let reply = try redis.send(RedisCommand("BLMOVE", k.pending, k.claiming, "RIGHT", "LEFT", JobQueue.seconds(timeout)),
                                   blockSeconds: timeout)
        if let e = reply.errorMessage { throw MMPError(.connection, "redis \(redis.settings.endpoint): BLMOVE refused: \(e)") }
        return JobQueue.taken(reply)
    }

    /// Waits on the wake lists of several queues (BLPOP, in their order); returns the queue that
    /// announced work, or nil on timeout.
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

    /// Gives a taken (not yet claimed) entry back to the front of pending.
    public func untake(queue: String, entry: String) throws {
        let k = keys(queue)
        try redis.evaluate(QueueScripts.untake, keys: [k.claiming, k.pending, k.wake], arguments: [entry, String(settings.wakeCap)])
    }

    public enum ClaimOutcome: Sendable {
        case claimed(ClaimedJob)
        /// Another worker (or the reaper) got there first, or it was cancelled meanwhile.
        case skipped(String)
        /// The id has no record: it becomes a dead record with the reason.
        case missing
    }

    /// Leases a taken id to `worker` in one atomic step. A job that runs inline also reserves up
    /// to `reserve` next pending entries of the queue (`ClaimedJob.reserved`).
    public func claim(queue: String, id: String, worker: String, token: String, reserve: Int = 0) throws -> ClaimOutcome {
        let k = keys(queue)
        let reply = try redis.evaluate(QueueScripts.claim, keys: [k.job(id), k.claiming, k.active, k.events, k.claimingSeen, k.pending],
                                       arguments: [id, worker, token, settings.leaseMillis, String(settings.eventsCap), String(reserve)])
        return parseClaim(reply, queue: queue, id: id, token: token)
    }

    func parseClaim(_ reply: RedisReply, queue: String, id: String, token: String) -> ClaimOutcome {
        let items = reply.array ?? []
        switch items.first?.string {
        case "ok":
            func s(_ i: Int) -> String { items.count > i ? items[i].string ?? "" : "" }
            let reserved = items.count > 8 ? (items[8].array ?? []).compactMap(\.string) : []
            return .claimed(ClaimedJob(lease: Lease(queue: queue, id: id, token: token), payloadText: s(1), kind: s(7),
                                       attempts: Int(s(2)) ?? 0, maxAttempts: Int(s(3)) ?? settings.maxAttempts,
                                       deliveries: Int(s(6)) ?? 1, maxDeliveries: Int(s(4)) ?? settings.maxDeliveries,
                                       timeout: Double(Int(s(5)) ?? 0) / 1000, reserved: reserved))
        case "missing": return .missing
        case "skip": return .skipped(items.count > 1 ? items[1].string ?? "" : "")
        case "returned": return .skipped("runs in a child; back to pending")
        default: return .skipped("taken by another worker")
        }
    }

    public struct BatchOutcome: Sendable {
        /// One per completion, in order.
        public var completions: [WriteOutcome]
        /// One per reserved id, in order.
        public var claims: [ClaimOutcome]
        /// The next ids reserved for this worker.
        public var reserved: [String]
    }

    /// Completes inline jobs and leases reserved ids of the same queue, in one round trip.
    /// `claims` pairs each reserved id with a fresh lease token.
    public func completeAndClaim(queue: String, completions: [(Lease, JSON)], claims: [(id: String, token: String)], worker: String,
                                 reserve: Int) throws -> BatchOutcome {
        let k = keys(queue)
        var keyList = [k.active, k.succeeded, k.events, k.idempotency, k.pending, k.claiming, k.claimingSeen]
        keyList += completions.map { k.job($0.0.id) }
        keyList += claims.map { k.job($0.id) }
        var args = [String(completions.count), String(claims.count), String(Int(settings.resultTTL)), String(settings.eventsCap),
                    String(settings.indexCap), worker, settings.leaseMillis, String(reserve)]
        for (lease, result) in completions { args += [lease.id, lease.token, result.serialized()] }
        for c in claims { args += [c.id, c.token] }
        let reply = try redis.evaluate(QueueScripts.completeAndClaim, keys: keyList, arguments: args)
        let parts = reply.array ?? []
        let statuses = (parts.first?.array ?? []).map { WriteOutcome(rawValue: $0.string ?? "") ?? .stale }
        let claimReplies = parts.count > 1 ? parts[1].array ?? [] : []
        let outcomes = claims.enumerated().map { i, c in
            i < claimReplies.count ? parseClaim(claimReplies[i], queue: queue, id: c.id, token: c.token) : .skipped("no reply")
        }
        let reserved = parts.count > 2 ? (parts[2].array ?? []).compactMap(\.string) : []
        return BatchOutcome(completions: statuses, claims: outcomes, reserved: reserved)
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

    /// Marks the job succeeded. With `takeNext`, also moves the next pending id of the same queue
    /// to `claiming` and returns it (the worker claims it next without another BLMOVE).
    public func complete(_ lease: Lease, result: JSON, takeNext: Bool = false) throws -> (WriteOutcome, Taken?) {
        let k = keys(lease.queue)
        let reply = try redis.evaluate(QueueScripts.complete,
                                       keys: [k.job(lease.id), k.active, k.succeeded, k.events, k.idempotency, k.pending, k.claiming],
                                       arguments: [lease.id, lease.token, result.serialized(), String(Int(settings.resultTTL)),
                                                   String(settings.eventsCap), String(settings.indexCap), takeNext ? "1" : "0"])
        let items = reply.array ?? []
        let outcome = WriteOutcome(rawValue: items.first?.string ?? "") ?? .stale
        let next = items.count > 1 && items[1].string != "" ? JobQueue.taken(items[1]) : nil
        return (outcome, next)
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

    /// Turns a pending entry that is not a job (or has no record) into a dead record with the
    /// reason. Returns the new record's id.
    @discardableResult
    public func buryRaw(queue: String, entry: String, reason: String) throws -> String {
        let k = keys(queue)
        let id = JobID.make(queue: queue, milliseconds: Clock.nowMillis())
        let excerpt = entry.utf8.count > 4096 ? String(decoding: Array(entry.utf8.prefix(4096)), as: UTF8.self) + "…" : entry
        try redis.evaluate(QueueScripts.buryRaw, keys: [k.claiming, k.job(id), k.dead, k.events],
                           arguments: [entry, id, reason, String(Int(settings.deadTTL)), String(settings.eventsCap), String(settings.deadCap), queue, excerpt])
        return id
    }
}
