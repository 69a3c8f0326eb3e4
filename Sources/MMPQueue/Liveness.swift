import MMPCore
import MMPRedis

/// Dead-worker detection (recovery in seconds, not a lease): every worker refreshes its deadline
/// in each of its queues' `P:{Q}:alive` set every `liveness_ttl / 6`; a worker whose deadline
/// has passed is dead, and the first live worker to see it takes its leases back at once
/// (`reclaim`). A killed worker's job runs again within about `liveness_ttl` plus one refresh,
/// where lease expiry took `lease` plus a reaper interval. A worker that was only slow (a long
/// pause, a partition) finds its writes refused by the lease token and drops its result.
public struct Liveness: Sendable, Equatable {
    /// Per queue: the server time (ms) since when this worker has refreshed without a gap.
    public var since: [String: Int] = [:]

    public init() {}

    /// How often to refresh.
    public static func interval(_ settings: QueueSettings) -> Double { settings.livenessTTL / 6 }
}

/// What taking back the leases of dead workers did on one queue.
public struct ReclaimReport: Sendable, Equatable {
    public var queue: String
    public var workers: [String]
    /// Leases taken back and the jobs put back to the front of pending (a lost delivery counted).
    public var requeued = 0
    /// Jobs at their delivery cap, now dead.
    public var buried = 0
    /// Jobs whose cancel was requested, now cancelled.
    public var cancelled = 0
}

extension JobQueue {
    /// Refreshes `worker`'s liveness on each of `queues` (one round trip); returns the workers
    /// found dead on each queue (only those with a verdict: see `QueueScripts.alive`).
    public func refreshLiveness(worker: String, queues: [String], liveness: inout Liveness) throws -> [String: [String]] {
        let replies = try run(queues.map { q in
            ScriptCall(script: QueueScripts.alive, keys: [keys(q).alive], arguments: [worker, settings.livenessMillis, String(liveness.since[q] ?? 0)])
        }).replies
        var dead: [String: [String]] = [:]
        for (q, reply) in zip(queues, replies) {
            guard let parts = reply.array, parts.count == 2, let since = parts[0].int, let names = parts[1].array else { throw unexpected("alive", reply) }
            liveness.since[q] = since
            let gone = names.compactMap(\.string).filter { $0 != worker }
            if !gone.isEmpty { dead[q] = gone }
        }
        return dead
    }

    /// Takes back the leases `workers` (found dead on `queue`) hold, reading every active job's
    /// owner first (one round trip, plus one per 200 active jobs), then one script per 200 of
    /// theirs. The script checks again that each job is still theirs and each worker still dead.
    public func reclaim(queue: String, workers: [String]) throws -> ReclaimReport {
        let k = keys(queue)
        var report = ReclaimReport(queue: queue, workers: workers)
        let listed = try redis.send(RedisCommand("ZRANGE", k.active, "0", "-1"))
        if let e = listed.errorMessage { throw MMPError.redisReply(e, endpoint: redis.settings.endpoint, what: "ZRANGE") }
        let active = (listed.array ?? []).compactMap(\.string).filter { JobID.queue(of: $0) == queue }
        var theirs: [String] = []
        let wanted = Set(workers)
        for chunk in stride(from: 0, to: active.count, by: JobQueue.reaperBatch).map({ Array(active[$0..<min($0 + JobQueue.reaperBatch, active.count)]) }) {
            let owners = try redis.pipeline(chunk.map { RedisCommand("HGET", k.job($0), "worker") })
            for (id, owner) in zip(chunk, owners) where owner.string.map(wanted.contains) == true { theirs.append(id) }
        }
        let chunks = stride(from: 0, to: max(theirs.count, 1), by: JobQueue.reaperBatch).map { Array(theirs[$0..<min($0 + JobQueue.reaperBatch, theirs.count)]) }
        for (n, chunk) in chunks.enumerated() {
            let forget = n == chunks.count - 1 ? "1" : "0"
            let reply = try run(QueueScripts.reclaim,
                                keys: [k.active, k.pending, k.dead, k.cancelled, k.events, k.idempotency, k.wake, k.alive] + chunk.map(k.job),
                                arguments: [String(settings.eventsCap), String(settings.wakeCap), String(Int(settings.resultTTL)),
                                            String(Int(settings.deadTTL)), forget, String(workers.count)] + workers + chunk)
            guard let r = reply.array, r.count == 3 else { throw unexpected("reclaim", reply) }
            report.requeued += r[0].int ?? 0
            report.buried += r[1].int ?? 0
            report.cancelled += r[2].int ?? 0
        }
        return report
    }

    /// A worker that stops cleanly leaves the liveness sets of its queues.
    public func forgetLiveness(worker: String, queues: [String]) throws {
        for reply in try redis.pipeline(queues.map { RedisCommand("ZREM", keys($0).alive, worker) }) {
            if let e = reply.errorMessage { throw MMPError.redisReply(e, endpoint: redis.settings.endpoint, what: "ZREM") }
        }
    }
}
