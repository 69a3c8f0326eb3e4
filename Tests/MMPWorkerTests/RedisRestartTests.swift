#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

@Suite(.serialized) struct RedisRestartTests {
    @Test func fleetSurvivesARedisRestartAndEveryJobFinishesOnce() throws {
        let redis = try OwnRedis()
        let fleet = try Fleet(redisURL: redis.url)
        var ids: [String] = []
        for _ in 0..<40 { ids.append(try fleet.diagnostic("sleep", seconds: 0.3)) }
        let a = try fleet.startWorker(["--concurrency", "2"])
        let b = try fleet.startWorker(["--concurrency", "2"])
        #expect(try fleet.waitUntil(20) { (try fleet.queue.counts(queues: ["default"]).first?.succeeded ?? 0) >= 4 })
        redis.stop()
        let probe = RedisConnection(settings: RedisSettings(host: "127.0.0.1", port: redis.port, connectTimeout: 0.2))
        #expect((try? probe.command("PING")) == nil, "redis still answers after SIGTERM")
        Backoff.sleep(1.0)
        try redis.start()
        // Every job finishes (the harness's own connection reconnects on its next command).
        let done = try fleet.waitUntil(60) {
            (try? fleet.queue.counts(queues: ["default"]).first?.succeeded) == 40
        }
        #expect(done, "not all jobs succeeded; logs:\n\(fleet.logs().suffix(3000))")
        let counts = try fleet.successCounts()
        #expect(Set(counts.keys) == Set(ids))
        #expect(counts.values.allSatisfy { $0 == 1 })
        let logs = fleet.logs()
        #expect(logs.contains("redis connection restored") || logs.contains("connection to redis restored"), "\(logs.split(separator: "\n").filter { $0.contains("redis") }.joined(separator: "\n"))")
        // Both workers lived through it.
        #expect(a.wait(timeout: 0) == nil && b.wait(timeout: 0) == nil)
    }
}
