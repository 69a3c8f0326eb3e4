/// The Redis keys of one queue. Every key carries the queue's hash tag (`{name}`), so all of a
/// queue's keys live in one cluster slot and its scripts can touch them together; every key a
/// script touches is passed in KEYS. The layout is documented in docs/operations.md; the names
/// of `pending`, `scheduled` and `active` are stable (KEDA's redis scaler reads their lengths,
/// deploy/kubernetes/).
public struct QueueKeys: Sendable, Hashable {
    public let prefix: String
    public let queue: String
    private let base: String

    public init(prefix: String, queue: String) {
        self.prefix = prefix
        self.queue = queue
        self.base = "\(prefix):{\(queue)}:"
    }

    /// LIST of job ids waiting to run: new ids are pushed on the left, workers take from the right.
    public var pending: String { base + "pending" }
    /// ZSET id → when it may run (ms): delayed jobs and retries waiting out their backoff.
    public var scheduled: String { base + "scheduled" }
    /// ZSET id → lease expiry (ms).
    public var active: String { base + "active" }
    public var succeeded: String { base + "succeeded" }
    public var failed: String { base + "failed" }
    public var dead: String { base + "dead" }
    public var cancelled: String { base + "cancelled" }
    /// STREAM of job events, capped.
    public var events: String { base + "events" }
    /// HASH idempotency key → job id, for jobs not yet terminal.
    public var idempotency: String { base + "idempotency" }
    /// LIST of wake-up tokens: idle workers block on it (BLPOP), never on `pending`, so the
    /// blocking wait moves no job; the claim script then takes and leases one in one step.
    public var wake: String { base + "wake" }
    /// ZSET worker id → liveness deadline (ms, server clock): refreshed every `liveness_ttl / 6`
    /// by each worker of the queue; a worker past its deadline is dead and its leases are taken
    /// back at once (the `reclaim` script).
    public var alive: String { base + "alive" }
    /// STRING: which worker runs the reaper this interval (SET NX PX).
    public var reaperLock: String { base + "reaper" }
    /// Pub/sub channel announcing cancel requests (a fast path; the flag on the job is the truth).
    public var cancelChannel: String { base + "cancel" }

    /// HASH: the job record.
    public func job(_ id: String) -> String { base + "job:" + id }

    /// The terminal index of a state.
    public func index(_ state: JobState) -> String? {
        switch state {
        case .succeeded: return succeeded
        case .failed: return failed
        case .dead: return dead
        case .cancelled: return cancelled
        case .scheduled: return scheduled
        case .active: return active
        case .queued: return nil
        }
    }
}

/// Keys shared by every queue. They carry one hash tag of their own, `{@}` (`@` is never part of a
/// queue name), so they live in one cluster slot, apart from every queue's keys. No script
/// touches them.
public struct GlobalKeys: Sendable {
    public let prefix: String
    private let base: String
    public init(prefix: String) {
        self.prefix = prefix
        self.base = "\(prefix):{@}:"
    }
    /// SET of queue names that ever had a job.
    public var queues: String { base + "queues" }
    /// ZSET worker id → last heartbeat (ms).
    public var workers: String { base + "workers" }
    /// HASH: one worker's registration (expires when the worker stops heartbeating).
    public func worker(_ id: String) -> String { base + "worker:" + id }
}
