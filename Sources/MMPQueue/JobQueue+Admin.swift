import MMPCore
import MMPRedis

/// Reading and managing jobs: `mmp jobs`, `mmp queues`.
extension JobQueue {
    /// One job's record, in one round trip; nil when there is none (never existed, or expired).
    public func record(_ id: String) throws -> JobRecord? {
        let k = try keys(forJob: id)
        let fields = try checked(redis.pipeline([RedisCommand("HGETALL", k.job(id))]), "HGETALL")[0].dictionary
        return fields.isEmpty ? nil : JobRecord(fields: fields)
    }

    /// Queues that ever had a job, sorted.
    public func queueNames() throws -> [String] {
        (try checked(redis.pipeline([RedisCommand("SMEMBERS", global.queues)]), "SMEMBERS")[0].array ?? []).compactMap(\.string).sorted()
    }

    /// Jobs by state and queue, newest first. Two round trips: ids, then records.
    public func list(state: JobState? = nil, queues: [String]? = nil, limit: Int = 50) throws -> [JobRecord] {
        let names = try queues ?? queueNames()
        let states = state.map { [$0] } ?? JobState.allCases
        var commands: [RedisCommand] = []
        for q in names {
            let k = keys(q)
            for s in states {
                switch s {
                case .queued:
                    commands.append(RedisCommand("LRANGE", k.pending, "0", String(limit - 1)))
                default:
                    commands.append(RedisCommand("ZREVRANGE", k.index(s)!, "0", String(limit - 1)))
                }
            }
        }
        var ids: [String] = []
        var seen = Set<String>()
        for reply in try checked(redis.pipeline(commands), "list") {
            for item in reply.array ?? [] {
                if let id = item.string, JobID.isValid(id), seen.insert(id).inserted { ids.append(id) }
            }
        }
        // Time-sortable ids: newest first is a reverse text sort of the id's time part.
        ids.sort { $0 > $1 }
        ids = Array(ids.prefix(limit))
        let replies = try checked(redis.pipeline(ids.map { RedisCommand("HGETALL", keys(JobID.queue(of: $0) ?? "").job($0)) }), "HGETALL")
        return replies.compactMap { reply in
            let fields = reply.dictionary
            guard !fields.isEmpty else { return nil }
            let record = JobRecord(fields: fields)
            if let state, record.state != state { return nil }
            return record
        }
    }

    public struct QueueCounts: Sendable, Equatable {
        public var queue: String
        public var pending = 0, scheduled = 0, active = 0, succeeded = 0, failed = 0, dead = 0, cancelled = 0
        /// Age of the oldest pending job in seconds (from its id's time), nil when none waits.
        public var oldestPendingAge: Double?

        public var json: JSON {
            ["queue": .string(queue), "pending": .int(pending), "scheduled": .int(scheduled), "active": .int(active),
             "succeeded": .int(succeeded), "failed": .int(failed), "dead": .int(dead), "cancelled": .int(cancelled),
             "oldest_pending_age_seconds": oldestPendingAge.map(JSON.double) ?? .null]
        }
    }

    /// Depth of each queue, one round trip for all of them.
    public func counts(queues: [String]? = nil) throws -> [QueueCounts] {
        let names = try queues ?? queueNames()
        var commands: [RedisCommand] = []
        for q in names {
            let k = keys(q)
            commands += [RedisCommand("LLEN", k.pending), RedisCommand("ZCARD", k.scheduled),
                         RedisCommand("ZCARD", k.active), RedisCommand("ZCARD", k.succeeded), RedisCommand("ZCARD", k.failed),
                         RedisCommand("ZCARD", k.dead), RedisCommand("ZCARD", k.cancelled), RedisCommand("LINDEX", k.pending, "-1")]
        }
        let replies = try checked(redis.pipeline(commands), "counts")
        let now = Clock.nowMillis()
        return names.enumerated().map { i, q in
            let r = Array(replies[(i * 8)..<(i * 8 + 8)])
            var c = QueueCounts(queue: q)
            c.pending = r[0].int ?? 0
            c.scheduled = r[1].int ?? 0
            c.active = r[2].int ?? 0
            c.succeeded = r[3].int ?? 0
            c.failed = r[4].int ?? 0
            c.dead = r[5].int ?? 0
            c.cancelled = r[6].int ?? 0
            if let oldest = r[7].string, let ms = JobID.milliseconds(of: oldest) { c.oldestPendingAge = Double(max(0, now - ms)) / 1000 }
            return c
        }
    }

    public enum CancelOutcome: Sendable, Equatable {
        /// It was queued or scheduled: cancelled at once.
        case cancelled
        /// It runs: its worker stops it within one heartbeat.
        case cancelling
        case alreadyFinished(String)
    }

    public func cancel(_ id: String) throws -> CancelOutcome {
        let k = try keys(forJob: id)
        let reply = try run(QueueScripts.cancel, keys: [k.job(id), k.pending, k.scheduled, k.cancelled, k.events, k.idempotency],
                            arguments: [id, String(Int(settings.resultTTL)), String(settings.eventsCap), k.cancelChannel])
        let items = reply.array ?? []
        switch (items.first?.string, items.count) {
        case ("cancelled"?, 1): return .cancelled
        case ("cancelling"?, 1): return .cancelling
        case ("terminal"?, 2): return .alreadyFinished(items[1].string ?? "")
        case ("missing"?, 1): throw MMPError.notFound("job \(id) not found (it never existed, or its record expired)")
        default: throw unexpected("cancel", reply)
        }
    }

    public struct Retried: Sendable, Equatable {
        /// The state it was retried from.
        public var from: JobState?
        /// Whether it holds its idempotency key again (false when it has none, or another job
        /// took the key meanwhile).
        public var holdsIdempotencyKey: Bool

        public init(from: JobState?, holdsIdempotencyKey: Bool) {
            self.from = from; self.holdsIdempotencyKey = holdsIdempotencyKey
        }
    }

    /// Puts a dead, failed or cancelled job back to pending with fresh counters; it holds its
    /// idempotency key again unless another job took it meanwhile.
    @discardableResult
    public func retry(_ id: String) throws -> Retried {
        let k = try keys(forJob: id)
        let reply = try run(QueueScripts.retry, keys: [k.job(id), k.dead, k.failed, k.cancelled, k.pending, k.events, k.wake, k.idempotency],
                            arguments: [id, String(settings.eventsCap), String(settings.wakeCap)])
        let items = reply.array ?? []
        switch (items.first?.string, items.count) {
        case ("queued"?, 3): return Retried(from: items[1].string.flatMap(JobState.init(rawValue:)), holdsIdempotencyKey: items[2].int == 1)
        case ("refused"?, 2):
            throw MMPError.invalidInput("job \(id) is \(items[1].string ?? "?"); only dead, failed or cancelled jobs can be retried")
        case ("missing"?, 1): throw MMPError.notFound("job \(id) not found (it never existed, or its record expired)")
        default: throw unexpected("retry", reply)
        }
    }

    /// The replies, or the first error reply thrown (typed: Redis unavailable is `.connection`).
    func checked(_ replies: [RedisReply], _ what: String) throws -> [RedisReply] {
        for reply in replies { if let e = reply.errorMessage { throw MMPError.redisReply(e, endpoint: redis.settings.endpoint, what: what) } }
        return replies
    }
}
