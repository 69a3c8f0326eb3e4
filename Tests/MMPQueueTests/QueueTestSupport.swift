import MMPCore
import MMPQueue
import MMPRedis
import Testing

/// A queue on the test server (scripts/test.sh) under a key prefix of its own, so tests run in
/// parallel without seeing each other's jobs.
func makeQueue(_ tune: (inout QueueSettings) -> Void = { _ in }) throws -> JobQueue {
    guard let url = ProcessEnvironment.current()["MMP_TEST_REDIS_URL"] else {
        throw MMPError(.invalidConfig, "MMP_TEST_REDIS_URL is not set: run the tests through scripts/test.sh")
    }
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
    /// Takes and claims the next job of `queue` for `worker`, or fails the test.
    func claimNext(_ queue: String = "default", worker: String = "w1", token: String? = nil) throws -> ClaimedJob {
        guard case .id(let id)? = try take(queue) else { throw MMPError.internalError("nothing pending in \(queue)") }
        guard case .claimed(let job) = try claim(queue: queue, id: id, worker: worker, token: token ?? "tok-\(UInt32.random(in: 0...UInt32.max))") else {
            throw MMPError.internalError("claim of \(id) failed")
        }
        return job
    }

    func state(_ id: String) throws -> JobState? { try record(id)?.state }

    func pendingIDs(_ queue: String = "default") throws -> [String] {
        (try redis.command("LRANGE", keys(queue).pending, "0", "-1").array ?? []).compactMap(\.string)
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
