import MMPCore
import MMPRedis

/// What one reaper pass did on one queue.
public struct ReaperReport: Sendable, Equatable {
    public var queue: String
    /// Expired leases put back to pending (a lost delivery counted).
    public var requeued = 0
    /// Expired leases past the delivery cap, now dead.
    public var buried = 0
    /// Expired leases of jobs whose cancel was requested.
    public var cancelled = 0
    /// Scheduled jobs (delays, retry backoffs) now due and pending.
    public var promoted = 0
    /// Records deleted with their index entries past `index_cap` / `dead_cap`.
    public var trimmed = 0

    public var isEmpty: Bool { requeued + buried + cancelled + promoted + trimmed == 0 }
}

/// The reaper (design §3.4): every worker calls it every `reaper_interval`; a `SET NX PX` lock
/// per queue makes one pass per interval run, fleet-wide. Two round trips when it runs (lock and
/// reads, then the scripts), one when another worker holds the lock; one more per index over
/// its cap.
extension JobQueue {
    /// How many entries a pass handles per list (leases, due jobs, entries over a cap).
    public static let reaperBatch = 200

    /// One pass on `queue`, or nil when another worker holds this interval's lock. An error
    /// reply (Redis refusing the lock's write, say) is thrown, never read as "held elsewhere".
    public func reap(queue: String, worker: String, batch: Int = JobQueue.reaperBatch) throws -> ReaperReport? {
        let k = keys(queue)
        let lockMillis = String(max(1, Int(settings.reaperInterval * 1000) - 50))
        let indexes: [(String, JobState, Int)] = [(k.succeeded, .succeeded, settings.indexCap), (k.failed, .failed, settings.indexCap),
                                                  (k.cancelled, .cancelled, settings.indexCap), (k.dead, .dead, settings.deadCap)]
        let reads = try redis.pipeline([
            RedisCommand("SET", k.reaperLock, worker, "NX", "PX", lockMillis),
            RedisCommand("TIME"),
            RedisCommand("ZRANGE", k.active, "0", String(batch - 1), "WITHSCORES"),
            RedisCommand("ZRANGE", k.scheduled, "0", String(batch - 1), "WITHSCORES"),
        ] + indexes.map { RedisCommand("ZCARD", $0.0) })
        for reply in reads { if let e = reply.errorMessage { throw MMPError.redisReply(e, endpoint: redis.settings.endpoint, what: "reaper on queue \(queue)") } }
        switch reads[0] {
        case .null: return nil
        case .status("OK"): break
        default: throw unexpected("reaper lock", reads[0])
        }
        guard let time = reads[1].array, time.count == 2, let seconds = time[0].int, let micros = time[1].int else { throw unexpected("TIME", reads[1]) }
        let now = seconds * 1000 + micros / 1000
        func due(_ reply: RedisReply) -> [String] {
            reply.pairs.compactMap { id, score in (Double(score) ?? .infinity) <= Double(now) ? id : nil }
        }
        let expired = due(reads[2])
        let ready = due(reads[3])
        let events = String(settings.eventsCap), wake = String(settings.wakeCap)
        var calls: [ScriptCall] = []
        if !expired.isEmpty {
            calls.append(ScriptCall(script: QueueScripts.reap, keys: [k.active, k.pending, k.dead, k.cancelled, k.events, k.idempotency, k.wake] + expired.map(k.job),
                                    arguments: [events, wake, String(Int(settings.resultTTL)), String(Int(settings.deadTTL))] + expired))
        }
        if !ready.isEmpty {
            calls.append(ScriptCall(script: QueueScripts.promote, keys: [k.scheduled, k.pending, k.events, k.wake] + ready.map(k.job), arguments: [events, wake] + ready))
        }
        var report = ReaperReport(queue: queue)
        let replies = calls.isEmpty ? [] : try run(calls).replies
        var i = 0
        if !expired.isEmpty {
            guard let r = replies[i].array, r.count == 3 else { throw unexpected("reap", replies[i]) }
            report.requeued = r[0].int ?? 0
            report.buried = r[1].int ?? 0
            report.cancelled = r[2].int ?? 0
            i += 1
        }
        if !ready.isEmpty {
            guard let moved = replies[i].int else { throw unexpected("promote", replies[i]) }
            report.promoted = moved
        }
        // Memory bounds (design §3.7): index entries past their cap go with their records (the
        // oldest first), and entries whose records have expired leave the indexes.
        for (n, (index, state, cap)) in indexes.enumerated() {
            guard let size = reads[4 + n].int, size > cap else { continue }
            report.trimmed += try trim(index, state: state, count: min(batch, size - cap), queue: k)
        }
        let resultCutoff = String(now - Int(settings.resultTTL * 1000)), deadCutoff = String(now - Int(settings.deadTTL * 1000))
        for reply in try redis.pipeline([
            RedisCommand("ZREMRANGEBYSCORE", k.succeeded, "-inf", resultCutoff),
            RedisCommand("ZREMRANGEBYSCORE", k.failed, "-inf", resultCutoff),
            RedisCommand("ZREMRANGEBYSCORE", k.cancelled, "-inf", resultCutoff),
            RedisCommand("ZREMRANGEBYSCORE", k.dead, "-inf", deadCutoff),
        ]) {
            if let e = reply.errorMessage { throw MMPError.redisReply(e, endpoint: redis.settings.endpoint, what: "ZREMRANGEBYSCORE") }
        }
        return report
    }

    /// Deletes the `count` oldest entries of a terminal index and their records.
    private func trim(_ index: String, state: JobState, count: Int, queue k: QueueKeys) throws -> Int {
        let reply = try redis.send(RedisCommand("ZRANGE", index, "0", String(count - 1)))
        if let e = reply.errorMessage { throw MMPError.redisReply(e, endpoint: redis.settings.endpoint, what: "ZRANGE") }
        let ids = (reply.array ?? []).compactMap(\.string)
        guard !ids.isEmpty else { return 0 }
        // Entries that are no job id of this queue (written by another program) have no record:
        // their slot in KEYS is the key of a record that does not exist.
        let none = k.job(JobID.make(queue: k.queue, milliseconds: 0))
        let deleted = try run(QueueScripts.trim, keys: [index] + ids.map { JobID.queue(of: $0) == k.queue ? k.job($0) : none },
                              arguments: [state.rawValue] + ids)
        guard let n = deleted.int else { throw unexpected("trim", deleted) }
        return n
    }
}
