import MMPCore
import MMPRedis

/// What one reaper pass did on one queue.
public struct ReaperReport: Sendable, Equatable {
    public var queue: String
    /// Expired leases put back to pending (a delivery counted).
    public var requeued = 0
    /// Expired leases past the delivery cap, now dead.
    public var buried = 0
    /// Expired leases of jobs whose cancel was requested.
    public var cancelled = 0
    /// Scheduled jobs (delays, retry backoffs) now due and pending.
    public var promoted = 0

    public var isEmpty: Bool { requeued + buried + cancelled + promoted == 0 }
}

/// The reaper (design §3.4): every worker calls it every `reaper_interval`; a `SET NX PX` lock
/// per queue makes one pass per interval run, fleet-wide. Two round trips when it runs (lock and
/// reads, then the scripts), one when another worker holds the lock.
extension JobQueue {
    public func reap(queue: String, worker: String, batch: Int = 200) throws -> ReaperReport? {
        let k = keys(queue)
        let lockMillis = String(max(1, Int(settings.reaperInterval * 1000) - 50))
        let reads = try redis.pipeline([
            RedisCommand("SET", k.reaperLock, worker, "NX", "PX", lockMillis),
            RedisCommand("TIME"),
            RedisCommand("ZRANGE", k.active, "0", String(batch - 1), "WITHSCORES"),
            RedisCommand("ZRANGE", k.scheduled, "0", String(batch - 1), "WITHSCORES"),
        ])
        guard reads[0] == .status("OK") else { return nil }
        let time = reads[1].array ?? []
        let now = (time.first?.int ?? 0) * 1000 + (time.count > 1 ? (time[1].int ?? 0) / 1000 : 0)
        func due(_ reply: RedisReply) -> [String] {
            reply.pairs.compactMap { id, score in (Double(score) ?? .infinity) <= Double(now) ? id : nil }
        }
        let expired = due(reads[2])
        let ready = due(reads[3])
        let events = String(settings.eventsCap), wake = String(settings.wakeCap)
        var calls: [(script: RedisScript, keys: [String], arguments: [String])] = []
        if !expired.isEmpty {
            calls.append((QueueScripts.reap, [k.active, k.pending, k.dead, k.cancelled, k.events, k.idempotency, k.wake] + expired.map(k.job),
                          [events, wake, String(Int(settings.resultTTL)), String(Int(settings.deadTTL)), String(settings.indexCap),
                           String(settings.deadCap)] + expired))
        }
        if !ready.isEmpty {
            calls.append((QueueScripts.promote, [k.scheduled, k.pending, k.events, k.wake] + ready.map(k.job), [events, wake] + ready))
        }
        var report = ReaperReport(queue: queue)
        let replies = try redis.evaluatePipelined(calls)
        var i = 0
        if !expired.isEmpty {
            let r = replies[i].array ?? []
            report.requeued = r.count > 0 ? r[0].int ?? 0 : 0
            report.buried = r.count > 1 ? r[1].int ?? 0 : 0
            report.cancelled = r.count > 2 ? r[2].int ?? 0 : 0
            i += 1
        }
        if !ready.isEmpty { report.promoted = replies[i].int ?? 0 }
        for reply in replies { if let e = reply.errorMessage { throw MMPError(.internal, "reaper on queue \(queue): \(e)") } }
        // Terminal indexes lose entries whose records have expired (memory bound, design §3.7).
        let resultCutoff = String(now - Int(settings.resultTTL * 1000)), deadCutoff = String(now - Int(settings.deadTTL * 1000))
        _ = try redis.pipeline([
            RedisCommand("ZREMRANGEBYSCORE", k.succeeded, "-inf", resultCutoff),
            RedisCommand("ZREMRANGEBYSCORE", k.failed, "-inf", resultCutoff),
            RedisCommand("ZREMRANGEBYSCORE", k.cancelled, "-inf", resultCutoff),
            RedisCommand("ZREMRANGEBYSCORE", k.dead, "-inf", deadCutoff),
        ])
        return report
    }
}
