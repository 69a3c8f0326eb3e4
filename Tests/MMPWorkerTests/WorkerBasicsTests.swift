#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

@Suite(.serialized) struct WorkerBasicsTests {
    @Test func runsAJobInAChildRelaysProgressAndRegistersItself() throws {
        let fleet = try Fleet()
        let id = try fleet.diagnostic("sleep", seconds: 1.0)
        let worker = try fleet.startWorker(["--concurrency", "2"])
        #expect(try fleet.waitUntil(10) { try fleet.state(id) == .active })
        // Progress arrives while it runs, and the worker says what it runs.
        #expect(try fleet.waitUntil(5) { (try fleet.queue.record(id)?.progress ?? 0) > 0.1 })
        #expect(try fleet.queue.record(id)?.stage == "diagnostic")
        // The registration lists the job from the next heartbeat (250 ms) on.
        #expect(try fleet.waitUntil(2) { try fleet.queue.workers().first?.jobs == [id] })
        let registered = try fleet.queue.workers()
        #expect(registered.count == 1)
        #expect(registered.first?.jobs == [id])
        #expect(registered.first?.concurrency == 2)
        #expect(registered.first?.pid == Int(worker.pid))
        #expect(try fleet.waitUntil(10) { try fleet.state(id) == .succeeded })
        let record = try #require(try fleet.queue.record(id))
        #expect(record.result?["slept"]?.doubleValue == 1.0)
        #expect(record.attempts == 1 && record.deliveries == 1)
        worker.signal(SIGTERM)
        #expect(worker.wait(timeout: 10) != nil)
        #expect(try fleet.queue.workers().isEmpty)
        #expect(fleet.logs().contains("\"msg\":\"worker ready\""))
        #expect(fleet.logs().contains("config (APP_ENV=local)"))
    }

    @Test func failuresAreClassifiedRetryableOrPermanent() throws {
        let fleet = try Fleet()
        let permanent = try fleet.diagnostic("fail", kind: "missing_column", maxAttempts: 3)
        let retryable = try fleet.diagnostic("fail", kind: "connection", maxAttempts: 2)
        try fleet.startWorker()
        #expect(try fleet.waitUntil(20) { try fleet.state(permanent) == .failed && fleet.state(retryable) == .failed })
        let p = try #require(try fleet.queue.record(permanent))
        #expect(p.attempts == 1 && p.errorKind == "missing_column" && p.errorMessage == "diagnostic failure")
        let r = try #require(try fleet.queue.record(retryable))
        #expect(r.attempts == 2 && r.errorKind == "connection")
        #expect(r.errorMessage == "diagnostic failure (gave up after 2 attempts)")
    }

    @Test func timeoutStopsTheJob() throws {
        let fleet = try Fleet()
        let id = try fleet.diagnostic("sleep", seconds: 30, timeout: 0.5)
        try fleet.startWorker()
        #expect(try fleet.waitUntil(10) { try fleet.state(id) == .failed })
        let r = try #require(try fleet.queue.record(id))
        #expect(r.errorKind == "timeout")
        #expect(r.errorMessage?.contains("timeout of 0.5s") == true)
    }

    @Test func childThatCrashesEveryTimeEndsDeadAtTheDeliveryCap() throws {
        let fleet = try Fleet()
        let id = try fleet.diagnostic("crash", maxAttempts: 10)
        try fleet.startWorker()
        #expect(try fleet.waitUntil(20) { try fleet.state(id) == .dead })
        let r = try #require(try fleet.queue.record(id))
        #expect(r.deliveries == 3)
        #expect(r.errorMessage?.contains("SIGABRT") == true)
        #expect(r.errorMessage?.contains("delivery cap of 3 reached") == true)
        #expect(try fleet.successCounts()[id] == nil)
    }

    @Test func malformedEntriesGoToDeadAndTheWorkerGoesOn() throws {
        let fleet = try Fleet()
        let k = fleet.queue.keys("default")
        // A raw payload pushed straight into the pending list, the way other queues store jobs.
        try fleet.queue.redis.command("LPUSH", k.pending, "{\"class\":\"HardWorker\",\"args\":[1,2]}")
        // A record whose payload is not a payload.
        let bad = try fleet.diagnostic("sleep")
        try fleet.queue.redis.command("HSET", k.job(bad), "payload", "{not json")
        let good = try fleet.diagnostic("sleep", seconds: 0)
        let worker = try fleet.startWorker()
        #expect(try fleet.waitUntil(15) { try fleet.state(good) == .succeeded })
        #expect(try fleet.state(bad) == .dead)
        #expect(try fleet.queue.record(bad)?.errorMessage?.hasPrefix("malformed payload: invalid JSON") == true)
        let dead = try fleet.queue.list(state: .dead, queues: ["default"])
        #expect(dead.count == 2)
        let raw = try #require(dead.first { $0.id != bad })
        #expect(raw.errorMessage?.contains("not a job id") == true)
        #expect(raw.payloadText.contains("HardWorker"))
        #expect(try fleet.queue.redis.command("LLEN", k.pending).int == 0)
        #expect(worker.wait(timeout: 0) == nil)  // still running
    }

    @Test func anEmptyWakeReturnsTheWorkerToWaiting() throws {
        let fleet = try Fleet()
        let k = fleet.queue.keys("default")
        let worker = try fleet.startWorker()
        #expect(try fleet.waitUntil(10) { try fleet.queue.workers().count == 1 })
        // Tokens without a job: the worker takes one, its claim finds nothing and drops the rest.
        for _ in 0..<20 { try fleet.queue.redis.command("LPUSH", k.wake, "1") }
        #expect(try fleet.waitUntil(5) { try fleet.queue.redis.command("LLEN", k.wake).int == 0 })
        Backoff.sleep(1.5)
        // Still waiting, and wakes for a real job.
        let id = try fleet.diagnostic("sleep", seconds: 0)
        #expect(try fleet.waitUntil(10) { try fleet.state(id) == .succeeded })
        worker.signal(SIGTERM)
        #expect(worker.wait(timeout: 10) != nil)
        // No busy loop: a few seconds of an idle worker (block timeout 1 s, heartbeats every
        // 250 ms, reaper every 200 ms) take tens of round trips; a loop would take thousands.
        let trips = try #require(fleet.roundTrips(ofWorker: 0))
        #expect(trips < 400)
    }

    @Test func aBurstWakesEveryIdleSlot() throws {
        // One wake token kept per queue, and idle slots that look on their own only every 10 s.
        let fleet = try Fleet(blockTimeout: "10s", wakeCap: 1)
        try fleet.startWorker(["--concurrency", "3"])
        #expect(try fleet.waitUntil(10) { try fleet.queue.workers().count == 1 })
        Backoff.sleep(0.3)  // every slot is blocked on the wake list
        // Three delayed jobs become due together: the reaper promotes them in one step, with one
        // token. Each claim that leaves work behind puts a token back, so all three slots wake.
        var ids: [String] = []
        for _ in 0..<3 {
            var options = JSONObject([("action", .string("sleep")), ("seconds", .double(2))])
            options["n"] = .int(ids.count)
            ids.append(try fleet.queue.submit(.init(queue: "default", payload: JobPayload(kind: .diagnostic, options: options), delay: 0.5)).id)
        }
        // Long before any slot's 10 s timeout: all three run at once.
        #expect(try fleet.waitUntil(5) { try ids.allSatisfy { try fleet.state($0) == .active } })
        #expect(try fleet.waitUntil(10) { try ids.allSatisfy { try fleet.state($0) == .succeeded } })
    }

    @Test func cancelQueuedAndRunningJobs() throws {
        let fleet = try Fleet()
        let queued = try fleet.diagnostic("sleep", seconds: 0)
        #expect(try fleet.queue.cancel(queued) == .cancelled)
        let running = try fleet.diagnostic("sleep", seconds: 30)
        try fleet.startWorker()
        #expect(try fleet.waitUntil(10) { try fleet.state(running) == .active })
        let t0 = Timestamp.monotonic()
        #expect(try fleet.queue.cancel(running) == .cancelling)
        #expect(try fleet.waitUntil(5) { try fleet.state(running) == .cancelled })
        // Within one heartbeat (250 ms) plus the time to kill and record it.
        #expect(Timestamp.monotonic() - t0 < 1.5)
        #expect(try fleet.state(queued) == .cancelled)
        #expect(try fleet.successCounts().isEmpty)
    }

    @Test func cancelReachesARunningJobBeforeTheNextHeartbeat() throws {
        // Heartbeats every 5 s: only the pub/sub fast path can stop the job within a second.
        let fleet = try Fleet(lease: "15s", heartbeat: "5s")
        let running = try fleet.diagnostic("sleep", seconds: 30)
        try fleet.startWorker()
        #expect(try fleet.waitUntil(10) { try fleet.state(running) == .active })
        Backoff.sleep(0.3)  // past the first heartbeat after the claim
        let t0 = Timestamp.monotonic()
        #expect(try fleet.queue.cancel(running) == .cancelling)
        #expect(try fleet.waitUntil(5) { try fleet.state(running) == .cancelled })
        #expect(Timestamp.monotonic() - t0 < 1.0)
        #expect(fleet.logs().contains("pub/sub"))
    }
}
