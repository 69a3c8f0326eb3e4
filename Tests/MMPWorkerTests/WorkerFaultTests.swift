#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

@Suite(.serialized) struct WorkerFaultTests {
    @Test func killedWorkersJobIsReclaimedAndItsLateWritesRejected() throws {
        let fleet = try Fleet()
        let id = try fleet.diagnostic("sleep", seconds: 1.5)
        let a = try fleet.startWorker(["--worker-id", "doomed"])
        #expect(try fleet.waitUntil(10) { try fleet.state(id) == .active })
        let staleToken = try #require(try fleet.queue.record(id)?.fields["lease_token"])
        a.signal(SIGKILL)
        _ = a.wait(timeout: 5)
        let killedAt = Timestamp.monotonic()
        try fleet.startWorker(["--worker-id", "rescuer"])
        #expect(try fleet.waitUntil(15) { try fleet.state(id) == .succeeded })
        // Lease (2 s) + one reaper interval (0.2 s) + the job itself (1.5 s) + start-up slack.
        #expect(Timestamp.monotonic() - killedAt < 2 + 0.2 + 1.5 + 2.5)
        let r = try #require(try fleet.queue.record(id))
        #expect(r.worker == "rescuer" && r.deliveries == 2)
        // The killed attempt comes back late: rejected.
        let stale = Lease(queue: "default", id: id, token: staleToken)
        #expect(try fleet.queue.complete(stale, result: ["late": true]).0 == .stale)
        #expect(try fleet.queue.progress(stale, event: "progress", stage: "x", progress: 0.1) == false)
        #expect(try fleet.queue.fail(stale, mode: .permanent, kind: "internal", message: "late", backoff: 0).write == .stale)
        #expect(try fleet.queue.record(id)?.result?["late"] == nil)
        #expect(try fleet.successCounts() == [id: 1])
    }

    @Test func workerKilledRightAfterItsClaimLeavesALeasedJobTheReaperExpires() throws {
        let fleet = try Fleet()
        let k = fleet.queue.keys("default")
        let id = try fleet.diagnostic("sleep", seconds: 3)
        let a = try fleet.startWorker(["--worker-id", "doomed"])
        // Kill it the moment its claim shows.
        let end = Timestamp.monotonic() + 10
        while try fleet.state(id) != .active, Timestamp.monotonic() < end { Backoff.sleep(0.001) }
        a.signal(SIGKILL)
        _ = a.wait(timeout: 5)
        // The claim took and leased in one step: active, owned, leased, and in no other place.
        let r = try #require(try fleet.queue.record(id))
        #expect(r.state == .active && r.worker == "doomed" && r.deliveries == 1)
        #expect(r.fields["lease_token"]?.isEmpty == false)
        let expiry = try #require(r.fields["lease_expires_at"].flatMap { Int($0) })
        #expect(try fleet.queue.redis.command("ZSCORE", k.active, id).string == String(expiry))
        #expect(try fleet.queue.redis.command("LLEN", k.pending).int == 0)
        let base = "\(fleet.prefix):{default}:"
        let names = Set((try fleet.queue.redis.command("KEYS", base + "*").array ?? []).compactMap { $0.string.map { String($0.dropFirst(base.count)) } })
        #expect(names.subtracting(["active", "alive", "events", "job:\(id)", "reaper"]).isEmpty)
        // Nobody renews the lease: once it expires the reaper puts the job back, counting the delivery.
        Backoff.sleep(Double(expiry - Clock.nowMillis()) / 1000 + 0.1)
        var report: ReaperReport?
        for _ in 0..<100 where report == nil {
            report = try fleet.queue.reap(queue: "default", worker: "test")
            if report == nil { Backoff.sleep(0.05) }
        }
        #expect(report?.requeued == 1)
        let back = try #require(try fleet.queue.record(id))
        #expect(back.state == .queued && back.deliveries == 1 && back.worker.isEmpty)
        #expect(try fleet.queue.redis.command("LRANGE", k.pending, "0", "-1").array?.compactMap(\.string) == [id])
    }

    @Test func sigtermRequeuesARunningJobWithoutSpendingAnAttempt() throws {
        let fleet = try Fleet()
        let long = try fleet.diagnostic("sleep", seconds: 30)
        let worker = try fleet.startWorker(["--grace", "500ms"])
        #expect(try fleet.waitUntil(10) { try fleet.state(long) == .active })
        let t0 = Timestamp.monotonic()
        worker.signal(SIGTERM)
        let status = worker.wait(timeout: 10)
        #expect(status != nil)
        #expect(status == 0)
        #expect(Timestamp.monotonic() - t0 < 3)
        let r = try #require(try fleet.queue.record(long))
        #expect(r.state == .queued && r.attempts == 0 && r.deliveries == 0 && r.worker.isEmpty)
        #expect(try fleet.queue.counts(queues: ["default"]).first?.pending == 1)
        #expect(fleet.logs().contains("job requeued"))
    }

    @Test func sigtermLetsAJobFinishWithinTheGrace() throws {
        let fleet = try Fleet()
        let short = try fleet.diagnostic("sleep", seconds: 1)
        let next = try fleet.diagnostic("sleep", seconds: 0)
        let worker = try fleet.startWorker(["--grace", "10s"])
        #expect(try fleet.waitUntil(10) { try fleet.state(short) == .active })
        worker.signal(SIGTERM)
        #expect(worker.wait(timeout: 10) != nil)
        #expect(try fleet.state(short) == .succeeded)
        // No new claim after SIGTERM.
        #expect(try fleet.state(next) == .queued)
    }

    @Test func thousandJobsAcrossTwoWorkersSucceedExactlyOnce() throws {
        let fleet = try Fleet()
        // Both workers are up and waiting before the jobs arrive, so both get a share.
        let a = try fleet.startWorker(["--worker-id", "a"])
        let b = try fleet.startWorker(["--worker-id", "b"])
        #expect(try fleet.waitUntil(10) { try fleet.queue.workers().count == 2 })
        var ids: [String] = []
        for i in 0..<1000 {
            ids.append(try fleet.queue.submit(.init(queue: "default", payload: JobPayload(kind: .noop, options: JSONObject([("i", .int(i))])))).id)
        }
        #expect(try fleet.waitUntil(60) { try fleet.queue.counts(queues: ["default"]).first?.succeeded == 1000 })
        let counts = try fleet.successCounts()
        #expect(counts.count == 1000)
        #expect(counts.values.allSatisfy { $0 == 1 })
        #expect(Set(counts.keys) == Set(ids))
        let records = try fleet.queue.redis.pipeline(ids.map { RedisCommand("HGET", fleet.queue.keys("default").job($0), "worker") })
        let byWorker = Dictionary(grouping: records.compactMap(\.string), by: { $0 }).mapValues(\.count)
        #expect(byWorker.keys.sorted() == ["a", "b"])
        a.signal(SIGTERM); b.signal(SIGTERM)
        _ = a.wait(timeout: 5); _ = b.wait(timeout: 5)
    }

    @Test func killedWorkerMidBatchLosesNothing() throws {
        let fleet = try Fleet()
        var ids: [String] = []
        // 2,000 jobs: their events (submitted, started, succeeded, lease_expired) stay under the
        // stream's cap, so the stream can tell whether any succeeded twice.
        for i in 0..<2000 {
            ids.append(try fleet.queue.submit(.init(queue: "default", payload: JobPayload(kind: .noop, options: JSONObject([("i", .int(i))])))).id)
        }
        let a = try fleet.startWorker(["--worker-id", "doomed"])
        #expect(try fleet.waitUntil(10) { (try fleet.queue.counts(queues: ["default"]).first?.succeeded ?? 0) > 0 })
        a.signal(SIGKILL)
        _ = a.wait(timeout: 5)
        // Killed mid-batch, every job is in exactly one place: pending, succeeded, or active with
        // the dead worker as owner and a lease (a claim takes and leases in one step).
        let k = fleet.queue.keys("default")
        let places = try fleet.queue.redis.pipeline([RedisCommand("LRANGE", k.pending, "0", "-1"), RedisCommand("ZRANGE", k.active, "0", "-1"),
                                                     RedisCommand("ZRANGE", k.succeeded, "0", "-1")])
        let lists = places.map { ($0.array ?? []).compactMap(\.string) }
        #expect(lists.map(\.count).reduce(0, +) == 2000)
        #expect(Set(lists[0]).union(lists[1]).union(lists[2]) == Set(ids))
        let held = try fleet.queue.redis.pipeline(lists[1].map { RedisCommand("HMGET", k.job($0), "state", "worker", "lease_token", "lease_expires_at") })
        #expect(held.allSatisfy { r in
            let f = (r.array ?? []).map { $0.string ?? "" }
            return f.count == 4 && f[0] == "active" && f[1] == "doomed" && !f[2].isEmpty && Int(f[3]) != nil
        })
        // What it held comes back through the reaper when the leases expire.
        try fleet.startWorker(["--worker-id", "rescuer"])
        #expect(try fleet.waitUntil(30) { try fleet.queue.counts(queues: ["default"]).first?.succeeded == 2000 })
        let counts = try fleet.successCounts()
        #expect(Set(counts.keys) == Set(ids))
        #expect(counts.values.allSatisfy { $0 == 1 })
        let attempts = try fleet.queue.redis.pipeline(ids.map { RedisCommand("HMGET", fleet.queue.keys("default").job($0), "state", "attempts") })
        #expect(attempts.allSatisfy { $0.array?.compactMap(\.string) == ["succeeded", "1"] })
        #expect(try fleet.queue.counts(queues: ["default"]).first.map { $0.pending + $0.active } == 0)
    }

    @Test func ordersQueuesByPriority() throws {
        let fleet = try Fleet()
        let low = try fleet.diagnostic("sleep", seconds: 0, queue: "low")
        let high = try fleet.diagnostic("sleep", seconds: 0, queue: "high")
        try fleet.startWorker(["--queues", "high,low"])
        #expect(try fleet.waitUntil(15) { try fleet.state(low) == .succeeded && fleet.state(high) == .succeeded })
        let h = try #require(try fleet.queue.record(high)?.startedAt)
        let l = try #require(try fleet.queue.record(low)?.startedAt)
        #expect(h <= l)
        // A job arriving later on the second queue wakes the blocked worker.
        let later = try fleet.diagnostic("sleep", seconds: 0, queue: "low")
        #expect(try fleet.waitUntil(10) { try fleet.state(later) == .succeeded })
    }
}
