import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

/// A queue on the test server (scripts/test.sh) under a key prefix of its own, so tests run in
/// parallel without seeing each other's jobs.
func makeQueue(url: String? = nil, _ tune: (inout QueueSettings) -> Void = { _ in }) throws -> JobQueue {
    let url = try url ?? TestEnvironment.redisURL()
    var settings = QueueSettings()
    settings.keyPrefix = "test-\(UInt64.random(in: 0...UInt64.max))"
    settings.lease = 5
    settings.heartbeat = 1
    settings.reaperInterval = 0.06
    settings.backoffBase = 0.01
    settings.backoffCap = 0.05
    tune(&settings)
    let queue = JobQueue(redis: try RedisConnection.connect(try RedisSettings(url: url)), settings: settings)
    try queue.loadScripts()
    return queue
}

func noop(_ n: Int = 0) -> JobPayload { JobPayload(kind: .noop, options: JSONObject([("n", JSON.int(n))])) }

extension JobQueue {
    /// Claims the next job of `queue` for `worker`, or fails the test.
    func claimNext(_ queue: String = "default", worker: String = "w1", token: String? = nil) throws -> ClaimedJob {
        let claim = try claim(queue: queue, ClaimRequest(worker: worker, token: token ?? "tok-\(UInt32.random(in: 0...UInt32.max))"))
        guard let job = claim.jobs.first else { throw MMPError.internalError("nothing to claim in \(queue)") }
        return job
    }

    /// A claim that must find nothing to lease.
    func claimNothing(_ queue: String = "default") throws -> Claim {
        try claim(queue: queue, ClaimRequest(worker: "w-none", token: "t-none"))
    }

    func state(_ id: String) throws -> JobState? { try record(id)?.state }

    func pendingIDs(_ queue: String = "default") throws -> [String] {
        (try redis.command("LRANGE", keys(queue).pending, "0", "-1").array ?? []).compactMap(\.string)
    }

    /// Every key of `queue` that exists, without the prefix (`pending`, `job:<id>`, ...).
    func keyNames(_ queue: String = "default") throws -> Set<String> {
        let base = "\(settings.keyPrefix):{\(queue)}:"
        let found = (try redis.command("KEYS", base + "*").array ?? []).compactMap(\.string)
        return Set(found.map { String($0.dropFirst(base.count)) })
    }

    /// Runs the reaper, waiting out the lock of the previous pass.
    func reapNow(_ queue: String = "default") throws -> ReaperReport {
        for _ in 0..<50 {
            if let r = try reap(queue: queue, worker: "test-reaper") { return r }
            Backoff.sleep(0.02)
        }
        throw MMPError.internalError("reaper lock never free")
    }
}

/// Waits until a replica started with `--replicaof` has synchronised with its master.
func waitForReplication(_ replica: OwnRedis) throws {
    let c = try replica.connect()
    let synced = try waitUntil(20) { try c.info("replication")["master_link_status"] == "up" }
    guard synced else { throw MMPError(.connection, "replica on \(replica.port) did not synchronise; see \(replica.directory)/redis.log") }
}
