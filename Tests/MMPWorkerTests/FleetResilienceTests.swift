#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

/// Issue 9 end to end with real workers, each against a redis-server of the test's own and the
/// queue's default settings (lease 30s, heartbeat 10s, liveness 3s).
@Suite(.serialized) struct FleetResilienceTests {
    /// Recovery in seconds: a worker killed with -9 mid-job has its job running again on another
    /// worker within 5 s (lease expiry alone took 30 s plus a reaper interval).
    @Test func aJobOfAWorkerKilledMidRunRunsAgainElsewhereWithinFiveSeconds() throws {
        let redis = try OwnRedis()
        let fleet = try Fleet(redisURL: redis.url, defaults: true)
        let doomed = try fleet.startWorker(["--worker-id", "doomed"])
        #expect(try fleet.waitUntil(10) { try fleet.queue.workers().map(\.id) == ["doomed"] })
        let id = try fleet.diagnostic("sleep", seconds: 60)
        #expect(try fleet.waitUntil(10) { try fleet.queue.record(id)?.worker == "doomed" && fleet.runs(id) == 1 })
        // Another worker has been up a while (its liveness verdicts start one ttl after its own start).
        try fleet.startWorker(["--worker-id", "rescuer"])
        #expect(try fleet.waitUntil(10) { try fleet.queue.workers().count == 2 })
        Backoff.sleep(fleet.queue.settings.livenessTTL + 0.5)

        doomed.signal(SIGKILL)
        _ = doomed.wait(timeout: 5)
        let killed = Timestamp.monotonic()
        #expect(MMPTestSupport.waitUntil(15, interval: 0.01) { fleet.runs(id) == 2 })
        let recovery = Timestamp.monotonic() - killed
        print("recovery after kill -9: job running again on another worker after \(JSON.format((recovery * 100).rounded() / 100))s")
        #expect(recovery < 5)
        let r = try #require(try fleet.queue.record(id))
        #expect(r.worker == "rescuer" && r.state == .active && r.deliveries == 2 && r.fields["lost_deliveries"] == "1")
        #expect(try fleet.queue.cancel(id) == .cancelling)
        #expect(try fleet.waitUntil(15) { try fleet.state(id) == .cancelled })
    }

    /// The reproduction: four 4-second jobs, then `maxmemory` set below what Redis uses
    /// (500 KB below: used memory moves by tens of KB as clients come and go).
    /// Every finished result is kept until Redis takes it again: the jobs succeed once memory
    /// frees, none runs twice, and nothing is claimed meanwhile.
    @Test func outOfMemoryLosesNoFinishedResultAndRunsNothingTwice() throws {
        let redis = try OwnRedis()
        let fleet = try Fleet(redisURL: redis.url, defaults: true)
        let admin = try redis.connect()
        try fleet.startWorker(["--concurrency", "4", "--worker-id", "full"])
        let ids = try (0..<4).map { _ in try fleet.diagnostic("sleep", seconds: 4) }
        #expect(try fleet.waitUntil(15) { try ids.allSatisfy { try fleet.state($0) == .active } })
        let used = try #require(Int(try admin.info("memory")["used_memory"] ?? ""))
        try admin.command("CONFIG", "SET", "maxmemory", String(used - 500_000))
        defer { _ = try? admin.command("CONFIG", "SET", "maxmemory", "0") }
        // A job submitted now is refused.
        let waiting = JobQueue(redis: try redis.connect(), settings: fleet.queue.settings)
        #expect(caught { _ = try waiting.submit(.init(queue: "default", payload: JobPayload(kind: .noop))) }?.kind == .connection)

        // The children finish; Redis refuses their completions.
        #expect(try fleet.waitUntil(20) { ids.allSatisfy { fleet.runs($0) == 1 } && fleet.logs().contains("redis refuses to record the outcome") },
                "\(fleet.logs())")
        Backoff.sleep(4 + 3)
        for id in ids {
            let r = try #require(try fleet.queue.record(id))
            let now = try admin.info("memory")["used_memory"] ?? "?"
            #expect(r.state == .active && r.worker == "full" && r.deliveries == 1, "\(r.fields) used \(now) of \(used)")
        }

        try admin.command("CONFIG", "SET", "maxmemory", "0")
        #expect(try fleet.waitUntil(20) { try ids.allSatisfy { try fleet.state($0) == .succeeded } })
        for id in ids {
            let r = try #require(try fleet.queue.record(id))
            #expect(r.attempts == 1 && r.deliveries == 1 && r.result?["slept"]?.doubleValue == 4)
            #expect(fleet.runs(id) == 1)
        }
        #expect(try fleet.successCounts().values.allSatisfy { $0 == 1 })
        #expect(!fleet.logs().contains("cannot record"))
    }

    /// Scale to zero: with no worker running, a delayed job comes due and nothing moves it; the
    /// autoscaler's triggers (deploy/kubernetes, read the way KEDA reads them) ask for a worker
    /// all along, and the worker that starts runs it. The lease of the last worker, killed
    /// mid-job, also asks for one, and the next worker takes the job back.
    @Test func nothingIsStrandedWhenTheFleetScalesToZero() throws {
        let redis = try OwnRedis()
        // The manifests' keys: the default prefix and queue.
        let fleet = try Fleet(redisURL: redis.url, prefix: "mmp", defaults: true)
        let keda = try KubernetesManifests().scaler
        let view = try redis.connect()
        #expect(try keda.replicas(view) == 0)

        let delayed = try fleet.diagnostic("sleep", seconds: 0, delay: 1)
        #expect(try keda.replicas(view) == 1)
        Backoff.sleep(1.5)
        // Due, and no process runs to move it: it is still scheduled, and still counted.
        #expect(try fleet.state(delayed) == .scheduled)
        #expect(try keda.replicas(view) == 1)
        let first = try fleet.startWorker(["--worker-id", "first"])
        #expect(try fleet.waitUntil(15) { try fleet.state(delayed) == .succeeded })
        #expect(fleet.runs(delayed) == 1)
        #expect(try fleet.waitUntil(5) { try keda.replicas(view) == 0 })

        let long = try fleet.diagnostic("sleep", seconds: 60)
        #expect(try fleet.waitUntil(10) { fleet.runs(long) == 1 })
        first.signal(SIGKILL)
        _ = first.wait(timeout: 5)
        // The dead worker's lease keeps the autoscaler asking for a worker.
        #expect(try keda.replicas(view) == 1)
        let second = try fleet.startWorker(["--worker-id", "second"])
        // Its liveness verdicts begin one ttl after its own start; then it takes the lease back.
        #expect(try fleet.waitUntil(15) { fleet.runs(long) == 2 })
        #expect(try fleet.queue.record(long)?.worker == "second")
        #expect(try fleet.queue.cancel(long) == .cancelling)
        #expect(try fleet.waitUntil(15) { try fleet.state(long) == .cancelled })
        #expect(try fleet.waitUntil(5) { try keda.replicas(view) == 0 })
        second.signal(SIGTERM)
        #expect(second.wait(timeout: 10) == 0)
    }
}
