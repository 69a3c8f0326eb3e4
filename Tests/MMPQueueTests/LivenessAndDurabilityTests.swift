import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

@Suite struct LivenessTests {
    /// A worker that stops refreshing is reported dead by a live one once its deadline passes;
    /// its leases are then taken back at once, counting a lost delivery, and its late writes are
    /// refused by the lease token.
    @Test func aWorkerThatStopsRefreshingIsReportedAndItsLeasesTakenBack() throws {
        let q = try makeQueue { $0.livenessTTL = 0.5 }
        var watcher = Liveness(), doomed = Liveness()
        #expect(try q.refreshLiveness(worker: "watcher", queues: ["default"], liveness: &watcher).isEmpty)
        #expect(try q.refreshLiveness(worker: "doomed", queues: ["default"], liveness: &doomed).isEmpty)
        let id = try q.submit(.init(queue: "default", payload: noop())).id
        let job = try q.claimNext(worker: "doomed")
        let start = Timestamp.monotonic()
        var dead: [String: [String]] = [:]
        while dead.isEmpty, Timestamp.monotonic() - start < 5 {
            dead = try q.refreshLiveness(worker: "watcher", queues: ["default"], liveness: &watcher)
            Backoff.sleep(0.02)
        }
        #expect(dead == ["default": ["doomed"]])
        #expect(Timestamp.monotonic() - start >= 0.45)
        let report = try q.reclaim(queue: "default", workers: ["doomed"])
        #expect(report.requeued == 1)
        let r = try #require(try q.record(id))
        #expect(r.state == .queued && r.fields["lost_deliveries"] == "1" && r.worker.isEmpty)
        #expect(try q.complete(job.lease, result: [:]).0 == .stale)
        // Forgotten once its leases are back: no one reports it again.
        #expect(try q.refreshLiveness(worker: "watcher", queues: ["default"], liveness: &watcher).isEmpty)
        #expect(try q.redis.command("ZSCORE", q.keys("default").alive, "doomed").isNull)
    }

    /// After a gap (a Redis restart, or its own start) a worker judges nobody by deadlines from
    /// before until it has itself been live for a whole ttl, so live workers that reconnect in
    /// that time are never taken for dead.
    @Test func afterAGapNobodyIsJudgedByStaleDeadlines() throws {
        let q = try makeQueue { $0.livenessTTL = 0.5 }
        let alive = q.keys("default").alive
        // Deadlines from before a restart: one worker comes back, one does not.
        try q.redis.command("ZADD", alive, String(Clock.nowMillis() - 10_000), "comes-back", String(Clock.nowMillis() - 10_000), "gone")
        var first = Liveness(), back = Liveness()
        #expect(try q.refreshLiveness(worker: "first", queues: ["default"], liveness: &first).isEmpty)
        Backoff.sleep(0.1)
        #expect(try q.refreshLiveness(worker: "comes-back", queues: ["default"], liveness: &back).isEmpty)
        var reported: [String] = []
        let start = Timestamp.monotonic()
        while reported.isEmpty, Timestamp.monotonic() - start < 5 {
            reported = try q.refreshLiveness(worker: "first", queues: ["default"], liveness: &first)["default"] ?? []
            _ = try q.refreshLiveness(worker: "comes-back", queues: ["default"], liveness: &back)
            Backoff.sleep(0.02)
        }
        #expect(reported == ["gone"])
        #expect(Timestamp.monotonic() - start >= 0.35)
    }
}

@Suite struct DurabilityTests {
    /// `queue.durability: replicas`: submit and complete wait for a replica (WAIT) and say how
    /// many acknowledged; with the replica gone the write is still done and the answer says 0.
    @Test func replicasDurabilityWaitsForAReplicaAndSaysWhenNoneAcknowledged() throws {
        let master = try OwnRedis()
        let replica = try OwnRedis(arguments: ["--replicaof", "127.0.0.1", "\(master.port)"])
        try waitForReplication(replica)
        let q = try makeQueue(url: master.url) { $0.durability = .replicas; $0.replicaTimeout = 0.5 }
        let submitted = try q.submit(.init(queue: "default", payload: noop(1)))
        #expect(submitted.replicas == 1)
        let job = try q.claimNext()
        let (outcome, _, replicas) = try q.completeReplicated(job.lease, result: ["ok": true])
        #expect(outcome == .ok && replicas == 1)
        #expect(try replica.connect().command("HGET", q.keys("default").job(submitted.id), "state").string == "succeeded")

        replica.stop()
        let admin = try master.connect()
        #expect(try waitUntil(10) { try admin.info("replication")["connected_slaves"] == "0" })
        let alone = try q.submit(.init(queue: "default", payload: noop(2)))
        #expect(alone.created && alone.replicas == 0)
        #expect(try q.state(alone.id) == .queued)

        let plain = try makeQueue(url: master.url)
        #expect(try plain.submit(.init(queue: "default", payload: noop(3))).replicas == nil)
    }
}
