import MMPCore
import MMPRedis

/// Operating a queue by hand (`mmp queues pause|resume`, `mmp jobs promote|delete`, the
/// dashboard's actions).
extension JobQueue {
    /// Pauses a queue: workers lease nothing from it (they take from their other queues) until
    /// it is resumed; jobs already running finish. Returns false when it was already paused.
    @discardableResult
    public func pause(_ queue: String) throws -> Bool {
        let name = try QueueName.validated(queue)
        let k = keys(name)
        let (replies, _) = try run([ScriptCall(script: QueueScripts.pause, keys: [k.paused, k.wake], arguments: [])],
                                   after: [RedisCommand("SADD", global.queues, name)])
        guard let changed = replies[0].int else { throw unexpected("pause", replies[0]) }
        return changed == 1
    }

    /// Resumes a paused queue (and wakes a worker when jobs wait). Returns false when it was not paused.
    @discardableResult
    public func resume(_ queue: String) throws -> Bool {
        let k = keys(try QueueName.validated(queue))
        let reply = try run(QueueScripts.resume, keys: [k.paused, k.pending, k.wake], arguments: [String(settings.wakeCap)])
        guard let changed = reply.int else { throw unexpected("resume", reply) }
        return changed == 1
    }

    /// Moves a scheduled job (a delay, a retry's backoff) to pending now.
    public func promote(_ id: String) throws {
        let k = try keys(forJob: id)
        let reply = try run(QueueScripts.promoteNow, keys: [k.job(id), k.scheduled, k.pending, k.events, k.wake, k.paused],
                            arguments: [id, String(settings.eventsCap), String(settings.wakeCap)])
        let items = reply.array ?? []
        switch (items.first?.string, items.count) {
        case ("queued"?, 1): return
        case ("refused"?, 2): throw MMPError.invalidInput("job \(id) is \(items[1].string ?? "?"); only a scheduled job can be run now")
        case ("missing"?, 1): throw MMPError.notFound("job \(id) not found (it never existed, or its record expired)")
        default: throw unexpected("promote-now", reply)
        }
    }

    /// Deletes a job that is not running (and its index entry); returns the state it was in.
    @discardableResult
    public func delete(_ id: String) throws -> JobState? {
        let reply = try run([deleteCall(id, keys: try keys(forJob: id))]).replies[0]
        return try deleted(id, reply)
    }

    func deleteCall(_ id: String, keys k: QueueKeys) -> ScriptCall {
        ScriptCall(script: QueueScripts.delete,
                   keys: [k.job(id), k.pending, k.scheduled, k.succeeded, k.failed, k.dead, k.cancelled, k.idempotency, k.events],
                   arguments: [id, String(settings.eventsCap)])
    }

    private func deleted(_ id: String, _ reply: RedisReply) throws -> JobState? {
        let items = reply.array ?? []
        switch (items.first?.string, items.count) {
        case ("deleted"?, 2): return items[1].string.flatMap(JobState.init(rawValue:))
        case ("refused"?, 2): throw MMPError.invalidInput("job \(id) is running; cancel it first (mmp jobs cancel \(id))")
        case ("missing"?, 1): throw MMPError.notFound("job \(id) not found (it never existed, or its record expired)")
        default: throw unexpected("delete", reply)
        }
    }

    /// What a bulk action did.
    public struct BulkOutcome: Sendable, Equatable {
        /// Jobs retried or deleted.
        public var done = 0
        /// Index entries whose record had expired, removed.
        public var stale = 0
        public init() {}
    }

    /// Retries every job of a terminal index (dead, failed or cancelled) of `queue`, 200 per
    /// round trip, oldest first; at most the jobs there when it began.
    public func retryAll(queue: String, state: JobState) throws -> BulkOutcome {
        try bulk(queue: queue, state: state) { k, ids in
            ids.map { id in
                ScriptCall(script: QueueScripts.retry, keys: [k.job(id), k.dead, k.failed, k.cancelled, k.pending, k.events, k.wake, k.idempotency],
                           arguments: [id, String(settings.eventsCap), String(settings.wakeCap)])
            }
        } outcome: { reply in
            switch reply.array?.first?.string {
            case "queued": return true
            // No record, or a record that says the job is elsewhere: the entry is stale.
            case "missing", "refused": return false
            default: throw self.unexpected("retry", reply)
            }
        }
    }

    /// Deletes every job of a terminal index of `queue`, 200 per round trip.
    public func deleteAll(queue: String, state: JobState) throws -> BulkOutcome {
        try bulk(queue: queue, state: state) { k, ids in ids.map { self.deleteCall($0, keys: k) } } outcome: { reply in
            switch reply.array?.first?.string {
            case "deleted": return true
            case "missing", "refused": return false
            default: throw self.unexpected("delete", reply)
            }
        }
    }

    private func bulk(queue: String, state: JobState, calls: (QueueKeys, [String]) -> [ScriptCall],
                      outcome: (RedisReply) throws -> Bool) throws -> BulkOutcome {
        guard state.isTerminal, let index = keys(try QueueName.validated(queue)).index(state) else {
            throw MMPError.invalidInput("only dead, failed, cancelled or succeeded jobs can be handled in bulk, not \(state.rawValue)")
        }
        let k = keys(queue)
        var result = BulkOutcome()
        var left = try checked([try redis.send(RedisCommand("ZCARD", index))], "ZCARD")[0].int ?? 0
        while left > 0 {
            let listed = try checked([try redis.send(RedisCommand("ZRANGE", index, "0", String(min(left, JobQueue.reaperBatch) - 1)))], "ZRANGE")[0]
            let entries = (listed.array ?? []).compactMap(\.string)
            if entries.isEmpty { break }
            left -= entries.count
            let ids = entries.filter { JobID.queue(of: $0) == queue }
            // Entries no job of this queue could have (another program's): removed from the index.
            let foreign = entries.filter { JobID.queue(of: $0) != queue }
            if !foreign.isEmpty { _ = try checked([try redis.send(RedisCommand(["ZREM", index] + foreign))], "ZREM") }
            result.stale += foreign.count
            var missing: [String] = []
            if !ids.isEmpty {
                for (id, reply) in zip(ids, try run(calls(k, ids)).replies) {
                    if try outcome(reply) { result.done += 1 } else { missing.append(id) }
                }
            }
            if !missing.isEmpty { _ = try checked([try redis.send(RedisCommand(["ZREM", index] + missing))], "ZREM") }
            result.stale += missing.count
        }
        return result
    }
}
