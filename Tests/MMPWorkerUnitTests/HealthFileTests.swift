import MMPCore
import Testing
@testable import MMPWorker

/// The liveness probe's verdict (`mmp-worker health`): a stuck maintenance loop fails it; a Redis
/// outage fails it only when asked to.
@Suite struct HealthFileTests {
    @Test func aFreshLoopIsHealthyAStaleOneIsNot() {
        #expect(HealthFile.verdict("100000 99000\n", now: 110_000, maxAge: 30, maxRedisAge: nil) == nil)
        let stale = HealthFile.verdict("100000 99000\n", now: 140_001, maxAge: 30, maxRedisAge: nil)
        #expect(stale?.contains("stuck") == true)
        #expect(HealthFile.verdict(nil, now: 0, maxAge: 30, maxRedisAge: nil)?.contains("no health file") == true)
        #expect(HealthFile.verdict("garbage", now: 0, maxAge: 30, maxRedisAge: nil)?.contains("malformed") == true)
    }

    @Test func redisOutagesFailItOnlyWhenAskedTo() {
        let text = "200000 100000\n"
        #expect(HealthFile.verdict(text, now: 200_500, maxAge: 30, maxRedisAge: nil) == nil)
        #expect(HealthFile.verdict(text, now: 200_500, maxAge: 30, maxRedisAge: 60)?.contains("redis last answered") == true)
        #expect(HealthFile.verdict("200000 0\n", now: 200_500, maxAge: 30, maxRedisAge: 60)?.contains("never") == true)
    }

    @Test func theHealthSubcommandParses() throws {
        let a = try WorkerArguments.parse(["health", "--health-file", "/tmp/h", "--max-age", "20s", "--max-redis-age", "2m"])
        #expect(a.action == .health && a.healthFile == "/tmp/h" && a.maxAge == 20 && a.maxRedisAge == 120)
        #expect(throws: MMPError.self) { try WorkerArguments.parse(["health"]) }
        #expect(try WorkerArguments.parse(["--health-file", "/run/h"]).flags.healthFile == "/run/h")
    }
}

/// Job processes share the worker's cores: its container quota over its slots.
@Suite struct JobThreadsTests {
    @Test func eachJobGetsItsShareOfTheCores() {
        #expect(WorkerSetup.jobThreads(concurrency: 1, environment: [:], cores: 2) == 2)
        #expect(WorkerSetup.jobThreads(concurrency: 4, environment: [:], cores: 2) == 1)
        #expect(WorkerSetup.jobThreads(concurrency: 2, environment: [:], cores: 8) == 4)
        #expect(WorkerSetup.jobThreads(concurrency: 2, environment: ["MMP_THREADS": "3"], cores: 8) == 3)
    }
}
