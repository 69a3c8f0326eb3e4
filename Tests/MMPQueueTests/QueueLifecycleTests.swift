import MMPCore
import MMPQueue
import MMPRedis
import Testing

@Suite struct QueueLifecycleTests {
    @Test func submitQueuesAJobWithItsRecordAndEvent() throws {
        let q = try makeQueue()
        let s = try q.submit(.init(queue: "default", payload: noop(), maxAttempts: 4, timeout: 60))
        #expect(s.created)
        #expect(JobID.queue(of: s.id) == "default")
        let r = try #require(try q.record(s.id))
        #expect(r.state == .queued && r.attempts == 0 && r.deliveries == 0 && r.maxAttempts == 4 && r.kind == "noop")
        #expect(r.fields["timeout_ms"] == "60000")
        #expect(try q.pendingIDs() == [s.id])
        #expect(try q.queueNames() == ["default"])
        let (events, _) = try q.events(after: ["default": "0"], block: 0)
        #expect(events.map(\.name) == ["submitted"])
        #expect(events.first?.job == s.id)
    }

    @Test func claimHeartbeatProgressComplete() throws {
        let q = try makeQueue()
        let s = try q.submit(.init(queue: "default", payload: noop()))
        let job = try q.claimNext(worker: "w-a", token: "T1")
        #expect(job.lease.id == s.id && job.deliveries == 1 && job.attempts == 0)
        #expect(try JobPayload(text: job.payloadText).kind == .noop)
        var r = try #require(try q.record(s.id))
        #expect(r.state == .active && r.worker == "w-a")
        #expect(try q.heartbeat([job.lease]) == [.ok])
        #expect(try q.progress(job.lease, event: "progress", stage: "fit", progress: 0.5))
        r = try #require(try q.record(s.id))
        #expect(r.progress == 0.5 && r.stage == "fit")
        let (outcome, next) = try q.complete(job.lease, result: ["metrics": ["accuracy": 0.9]])
        #expect(outcome == .ok && next == nil)
        r = try #require(try q.record(s.id))
        #expect(r.state == .succeeded && r.attempts == 1 && r.progress == 1)
        #expect(r.json(nowMillis: Clock.nowMillis())["metrics"]?["accuracy"]?.doubleValue == 0.9)
        let ttl = try q.redis.command("TTL", q.keys("default").job(s.id)).int ?? -1
        #expect(ttl > 0 && ttl <= Int(q.settings.resultTTL))
        // Sending the same completion again (its reply was lost) is harmless.
        #expect(try q.complete(job.lease, result: [:]).0 == .already)
        #expect(try q.counts(queues: ["default"]).first?.succeeded == 1)
        #expect(try q.counts(queues: ["default"]).first?.active == 0)
    }

    @Test func staleTokensAreRejectedEverywhere() throws {
        let q = try makeQueue()
        let s = try q.submit(.init(queue: "default", payload: noop()))
        let job = try q.claimNext(token: "right")
        let wrong = Lease(queue: "default", id: s.id, token: "wrong")
        #expect(try q.heartbeat([wrong]) == [.lost])
        #expect(try q.progress(wrong, event: "progress", stage: "x", progress: 0.9) == false)
        #expect(try q.complete(wrong, result: [:]).0 == .stale)
        #expect(try q.fail(wrong, mode: .permanent, kind: "internal", message: "x", backoff: 0).write == .stale)
        #expect(try q.release(wrong) == false)
        #expect(try q.finishCancelled(wrong) == .stale)
        let r = try #require(try q.record(s.id))
        #expect(r.state == .active && r.progress == 0)
        #expect(try q.complete(job.lease, result: [:]).0 == .ok)
    }

    @Test func retryableFailureBacksOffThenFailsAfterMaxAttempts() throws {
        let q = try makeQueue()
        let s = try q.submit(.init(queue: "default", payload: noop(), maxAttempts: 2))
        var job = try q.claimNext()
        var out = try q.fail(job.lease, mode: .retry, kind: "connection", message: "db down", backoff: 0.05)
        #expect(out == .init(write: .ok, state: "scheduled", attempts: 1))
        #expect(try q.state(s.id) == .scheduled)
        #expect(try q.take("default") == nil)
        Backoff.sleep(0.08)
        #expect(try q.reapNow().promoted == 1)
        #expect(try q.state(s.id) == .queued)
        job = try q.claimNext()
        #expect(job.attempts == 1 && job.deliveries == 2)
        out = try q.fail(job.lease, mode: .retry, kind: "connection", message: "db down", backoff: 0.05)
        #expect(out.state == "failed" && out.attempts == 2)
        let r = try #require(try q.record(s.id))
        #expect(r.state == .failed)
        #expect(r.errorKind == "connection")
        #expect(r.errorMessage == "db down (gave up after 2 attempts)")
        #expect(try q.list(state: .failed, queues: ["default"]).map(\.id) == [s.id])
    }

    @Test func permanentFailureFailsAtOnce() throws {
        let q = try makeQueue()
        let s = try q.submit(.init(queue: "default", payload: noop(), maxAttempts: 5))
        let job = try q.claimNext()
        let out = try q.fail(job.lease, mode: .permanent, kind: "missing_column", message: "column churn not found", backoff: 1)
        #expect(out.state == "failed" && out.attempts == 1)
        #expect(try q.record(s.id)?.errorMessage == "column churn not found")
        #expect(try q.fail(job.lease, mode: .permanent, kind: "x", message: "again", backoff: 0).write == .already)
    }

    @Test func crashesCountTowardTheDeliveryCapAndEndDead() throws {
        let q = try makeQueue { $0.maxDeliveries = 2 }
        let s = try q.submit(.init(queue: "default", payload: noop(), maxAttempts: 10))
        var job = try q.claimNext()
        #expect(try q.fail(job.lease, mode: .crash, kind: "internal", message: "child killed by signal 6", backoff: 0).state == "scheduled")
        Backoff.sleep(0.01)
        _ = try q.reapNow()
        job = try q.claimNext()
        let out = try q.fail(job.lease, mode: .crash, kind: "internal", message: "child killed by signal 6", backoff: 0)
        #expect(out.state == "dead" && out.attempts == 0)
        let r = try #require(try q.record(s.id))
        #expect(r.state == .dead && r.deliveries == 2)
        #expect(r.errorMessage == "child killed by signal 6 (delivery cap of 2 reached)")
        #expect(try q.counts(queues: ["default"]).first?.dead == 1)
    }

    @Test func expiredLeaseGoesBackToPendingThenDeadPastTheCap() throws {
        let q = try makeQueue { $0.lease = 0.2; $0.heartbeat = 0.05; $0.maxDeliveries = 2 }
        let s = try q.submit(.init(queue: "default", payload: noop()))
        let first = try q.claimNext(worker: "lost-worker", token: "old")
        Backoff.sleep(0.25)
        let report = try q.reapNow()
        #expect(report.requeued == 1)
        var r = try #require(try q.record(s.id))
        #expect(r.state == .queued && r.deliveries == 1 && r.worker == "")
        // The lost worker comes back: every write is refused.
        #expect(try q.heartbeat([first.lease]) == [.lost])
        #expect(try q.complete(first.lease, result: [:]).0 == .stale)
        let second = try q.claimNext(worker: "w2", token: "new")
        #expect(second.deliveries == 2)
        #expect(try q.complete(first.lease, result: [:]).0 == .stale)
        Backoff.sleep(0.25)
        #expect(try q.reapNow().buried == 1)
        r = try #require(try q.record(s.id))
        #expect(r.state == .dead && r.errorKind == "lease_expired")
        #expect(r.errorMessage?.contains("w2") == true)
        #expect(try q.complete(second.lease, result: [:]).0 == .stale)
    }

    @Test func heartbeatKeepsALeaseAlive() throws {
        let q = try makeQueue { $0.lease = 0.3; $0.heartbeat = 0.1 }
        let s = try q.submit(.init(queue: "default", payload: noop()))
        let job = try q.claimNext()
        for _ in 0..<5 {
            Backoff.sleep(0.1)
            #expect(try q.heartbeat([job.lease]) == [.ok])
            #expect(try q.reapNow().requeued == 0)
        }
        #expect(try q.state(s.id) == .active)
    }

    @Test func cancelQueuedScheduledAndRunningJobs() throws {
        let q = try makeQueue()
        let queued = try q.submit(.init(queue: "default", payload: noop(1)))
        let delayed = try q.submit(.init(queue: "default", payload: noop(2), delay: 60))
        #expect(try q.cancel(queued.id) == .cancelled)
        #expect(try q.cancel(delayed.id) == .cancelled)
        #expect(try q.pendingIDs().isEmpty)
        #expect(try q.counts(queues: ["default"]).first?.scheduled == 0)
        #expect(try q.state(queued.id) == .cancelled)
        let running = try q.submit(.init(queue: "default", payload: noop(3)))
        let job = try q.claimNext()
        #expect(try q.cancel(running.id) == .cancelling)
        #expect(try q.record(running.id)?.cancelRequested == true)
        #expect(try q.heartbeat([job.lease]) == [.cancel])
        #expect(try q.finishCancelled(job.lease) == .ok)
        #expect(try q.state(running.id) == .cancelled)
        #expect(try q.cancel(running.id) == .alreadyFinished("cancelled"))
        #expect(throws: MMPError.self) { try q.cancel("0000000000aaaaaaaaaa@default") }
        #expect(throws: MMPError.self) { try q.cancel("not-an-id") }
    }

    @Test func cancelBetweenTakeAndClaimWins() throws {
        let q = try makeQueue()
        let s = try q.submit(.init(queue: "default", payload: noop()))
        guard case .id(let id)? = try q.take("default") else { Issue.record("nothing taken"); return }
        #expect(try q.cancel(s.id) == .cancelled)
        guard case .skipped = try q.claim(queue: "default", id: id, worker: "w", token: "t") else { Issue.record("claimed a cancelled job"); return }
        #expect(try q.state(s.id) == .cancelled)
    }

    @Test func releaseRequeuesAtTheFrontWithoutSpendingAnAttempt() throws {
        let q = try makeQueue()
        let a = try q.submit(.init(queue: "default", payload: noop(1)))
        let b = try q.submit(.init(queue: "default", payload: noop(2)))
        let job = try q.claimNext()
        #expect(job.lease.id == a.id)
        #expect(try q.release(job.lease))
        let r = try #require(try q.record(a.id))
        #expect(r.state == .queued && r.attempts == 0 && r.deliveries == 0 && r.worker == "")
        #expect(try q.pendingIDs() == [b.id, a.id])
        #expect(try q.claimNext().lease.id == a.id)
        #expect(try q.release(job.lease) == false)
    }

    @Test func retryFromDeadAndFailed() throws {
        let q = try makeQueue { $0.maxDeliveries = 1 }
        let s = try q.submit(.init(queue: "default", payload: noop()))
        let job = try q.claimNext()
        #expect(try q.fail(job.lease, mode: .crash, kind: "internal", message: "boom", backoff: 0).state == "dead")
        try q.retry(s.id)
        let r = try #require(try q.record(s.id))
        #expect(r.state == .queued && r.attempts == 0 && r.deliveries == 0)
        #expect(try q.redis.command("TTL", q.keys("default").job(s.id)).int == -1)
        #expect(try q.counts(queues: ["default"]).first?.dead == 0)
        let again = try q.claimNext()
        #expect(try q.complete(again.lease, result: [:]).0 == .ok)
        #expect(throws: MMPError.self) { try q.retry(s.id) }
    }

    @Test func idempotencyKeyGivesOneJobUntilItIsTerminal() throws {
        let q = try makeQueue()
        let a = try q.submit(.init(queue: "default", payload: noop(), idempotencyKey: "nightly-2026-11-27"))
        let b = try q.submit(.init(queue: "default", payload: noop(), idempotencyKey: "nightly-2026-11-27"))
        #expect(a.created && !b.created && a.id == b.id)
        #expect(try q.pendingIDs().count == 1)
        let job = try q.claimNext()
        let c = try q.submit(.init(queue: "default", payload: noop(), idempotencyKey: "nightly-2026-11-27"))
        #expect(c.id == a.id && !c.created)
        _ = try q.complete(job.lease, result: [:])
        let d = try q.submit(.init(queue: "default", payload: noop(), idempotencyKey: "nightly-2026-11-27"))
        #expect(d.created && d.id != a.id)
    }

    @Test func oversizedPayloadIsRefusedAndNothingIsQueued() throws {
        let q = try makeQueue { $0.payloadLimit = 1000 }
        let big = JobPayload(kind: .train, recipeName: "big", recipeFile: "big.yaml", recipeYAML: String(repeating: "x", count: 2000))
        let error = #expect(throws: MMPError.self) { try q.submit(.init(queue: "default", payload: big)) }
        #expect(error?.message.contains("over the limit") == true)
        #expect(error?.message.contains("queue.payload_limit") == true)
        #expect(try q.pendingIDs().isEmpty)
        #expect(try q.queueNames().isEmpty)
    }

    @Test func delayedJobRunsWhenDue() throws {
        let q = try makeQueue()
        let s = try q.submit(.init(queue: "default", payload: noop(), delay: 0.15))
        #expect(try q.state(s.id) == .scheduled)
        #expect(try q.reapNow().promoted == 0)
        Backoff.sleep(0.2)
        #expect(try q.reapNow().promoted == 1)
        #expect(try q.claimNext().lease.id == s.id)
    }

    @Test func rawEntriesAndMissingRecordsBecomeDeadRecords() throws {
        let q = try makeQueue()
        let k = q.keys("default")
        try q.redis.command("LPUSH", k.pending, "{\"class\":\"HardWorker\",\"args\":[1]}")
        guard case .raw(let entry)? = try q.take("default") else { Issue.record("expected a raw entry"); return }
        let deadID = try q.buryRaw(queue: "default", entry: entry, reason: "pending entry is not a job id")
        let r = try #require(try q.record(deadID))
        #expect(r.state == .dead && r.errorMessage == "pending entry is not a job id" && r.payloadText.contains("HardWorker"))
        #expect(try q.redis.command("LLEN", k.claiming).int == 0)
        // A well-formed id without a record.
        try q.redis.command("LPUSH", k.pending, "0000000000aaaaaaaaaa@default")
        guard case .id(let id)? = try q.take("default") else { Issue.record("expected an id"); return }
        guard case .missing = try q.claim(queue: "default", id: id, worker: "w", token: "t") else { Issue.record("expected missing"); return }
        #expect(try q.redis.command("LLEN", k.claiming).int == 0)
    }

    @Test func idsStuckBetweenTakeAndClaimAreRecovered() throws {
        let q = try makeQueue { $0.claimGrace = 0.1 }
        let s = try q.submit(.init(queue: "default", payload: noop()))
        guard case .id? = try q.take("default") else { Issue.record("nothing taken"); return }
        // The taker dies here. First pass notes it, a later one past the grace moves it back.
        #expect(try q.reapNow().recovered == 0)
        Backoff.sleep(0.15)
        #expect(try q.reapNow().recovered == 1)
        #expect(try q.pendingIDs() == [s.id])
        #expect(try q.claimNext().lease.id == s.id)
    }

    @Test func completeCanTakeTheNextJobInTheSameStep() throws {
        let q = try makeQueue()
        let a = try q.submit(.init(queue: "default", payload: noop(1)))
        let b = try q.submit(.init(queue: "default", payload: noop(2)))
        let job = try q.claimNext()
        #expect(job.lease.id == a.id)
        let before = q.redis.roundTrips
        let (outcome, next) = try q.complete(job.lease, result: [:], takeNext: true)
        #expect(q.redis.roundTrips == before + 1)
        #expect(outcome == .ok && next == .id(b.id))
        guard case .claimed = try q.claim(queue: "default", id: b.id, worker: "w", token: "t2") else { Issue.record("claim failed"); return }
    }

    @Test func inlineJobsReserveNextIdsAndLeaseThemWithTheCompletions() throws {
        let q = try makeQueue()
        var ids: [String] = []
        for i in 0..<6 { ids.append(try q.submit(.init(queue: "default", payload: noop(i))).id) }
        let train = try q.submit(.init(queue: "default", payload: JobPayload(kind: .diagnostic))).id
        guard case .id(let first)? = try q.take("default"),
              case .claimed(let jobA) = try q.claim(queue: "default", id: first, worker: "w", token: "tA", reserve: 2) else {
            Issue.record("claim failed"); return
        }
        #expect(jobA.lease.id == ids[0] && jobA.reserved == [ids[1], ids[2]])
        #expect(try q.redis.command("LRANGE", q.keys("default").claiming, "0", "-1").array?.compactMap(\.string) == [ids[2], ids[1]])
        let before = q.redis.roundTrips
        let claims = [(id: ids[1], token: "t1"), (id: ids[2], token: "t2")]
        let out = try q.completeAndClaim(queue: "default", completions: [(jobA.lease, [:])], claims: claims, worker: "w", reserve: 4)
        #expect(q.redis.roundTrips == before + 1)
        #expect(out.completions == [.ok])
        let leased = out.claims.compactMap { if case .claimed(let j) = $0 { return j } else { return nil } }
        #expect(leased.map(\.lease.id) == [ids[1], ids[2]])
        #expect(leased.allSatisfy { $0.deliveries == 1 })
        // Four more were reserved, the diagnostic one among them.
        #expect(out.reserved == [ids[3], ids[4], ids[5], train])
        #expect(try q.state(ids[0]) == .succeeded && q.state(ids[1]) == .active && q.state(ids[2]) == .active)
        // The same call sent again (its reply lost): completions already done, the leases still ours.
        let again = try q.completeAndClaim(queue: "default", completions: [(jobA.lease, [:])], claims: claims, worker: "w", reserve: 0)
        #expect(again.completions == [.already])
        #expect(again.claims.allSatisfy { if case .claimed = $0 { return true } else { return false } })
        #expect(try q.record(ids[1])?.deliveries == 1)
        // A job that runs in a child is not leased in a batch: it goes back to the front of pending.
        let next = out.reserved.map { (id: $0, token: "n-\($0)") }
        let third = try q.completeAndClaim(queue: "default", completions: leased.map { ($0.lease, [:]) }, claims: next, worker: "w", reserve: 4)
        #expect(third.completions == [.ok, .ok])
        // ...and ends the batch: nothing more is reserved, so it is claimed next, in order.
        #expect(third.reserved.isEmpty)
        guard case .skipped = third.claims[3] else { Issue.record("a diagnostic job was leased in a batch"); return }
        #expect(try q.state(train) == .queued)
        #expect(try q.pendingIDs() == [train])
        #expect(try q.redis.command("LLEN", q.keys("default").claiming).int == 0)
        // Another worker cannot lease what this one holds.
        guard case .skipped = try q.claim(queue: "default", id: ids[3], worker: "y", token: "tY") else { Issue.record("claimed twice"); return }
    }

    @Test func jobsThatRunInChildrenReserveNothing() throws {
        let q = try makeQueue()
        _ = try q.submit(.init(queue: "default", payload: JobPayload(kind: .diagnostic)))
        _ = try q.submit(.init(queue: "default", payload: noop()))
        guard case .id(let first)? = try q.take("default"),
              case .claimed(let job) = try q.claim(queue: "default", id: first, worker: "w", token: "t", reserve: 8) else {
            Issue.record("claim failed"); return
        }
        #expect(job.reserved.isEmpty)
        #expect(try q.redis.command("LLEN", q.keys("default").claiming).int == 0)
    }

    @Test func reaperRunsOncePerInterval() throws {
        let q = try makeQueue { $0.reaperInterval = 5 }
        #expect(try q.reap(queue: "default", worker: "a") != nil)
        #expect(try q.reap(queue: "default", worker: "b") == nil)
    }

    @Test func listingAndCounting() throws {
        let q = try makeQueue()
        var ids: [String] = []
        for i in 0..<3 { ids.append(try q.submit(.init(queue: "default", payload: noop(i))).id) }
        let other = try q.submit(.init(queue: "other", payload: noop())).id
        let job = try q.claimNext()
        _ = try q.complete(job.lease, result: [:])
        let all = try q.list(limit: 10)
        #expect(all.map(\.id) == ([other] + ids.reversed()).sorted(by: >))
        #expect(try q.list(state: .queued, queues: ["default"]).map(\.id) == [ids[2], ids[1]])
        #expect(try q.list(state: .succeeded).map(\.id) == [ids[0]])
        #expect(try q.list(limit: 2).count == 2)
        let counts = try q.counts()
        #expect(counts.map(\.queue) == ["default", "other"])
        #expect(counts[0].pending == 2 && counts[0].succeeded == 1 && counts[1].pending == 1)
        #expect((counts[0].oldestPendingAge ?? -1) >= 0)
    }

    @Test func eventsStreamIsCapped() throws {
        let q = try makeQueue { $0.eventsCap = 10 }
        for i in 0..<300 { _ = try q.submit(.init(queue: "default", payload: noop(i))) }
        let length = try q.redis.command("XLEN", q.keys("default").events).int ?? 0
        #expect(length < 300)
        #expect(length >= 10)
    }

    @Test func deadSetIsCapped() throws {
        let q = try makeQueue { $0.deadCap = 3 }
        for i in 0..<5 {
            try q.redis.command("LPUSH", q.keys("default").pending, "garbage-\(i)")
            guard case .raw(let e)? = try q.take("default") else { continue }
            try q.buryRaw(queue: "default", entry: e, reason: "bad")
        }
        #expect(try q.counts(queues: ["default"]).first?.dead == 3)
    }

    @Test func workerRegistration() throws {
        let q = try makeQueue()
        let now = Clock.nowMillis()
        let info = WorkerInfo(id: "w-1", host: "h", pid: 42, version: "0.1.0", queues: ["a", "b"], concurrency: 2, jobs: ["x"],
                              startedAt: now, heartbeatAt: now)
        _ = try q.redis.pipeline(q.registrationCommands(info, ttl: 10))
        #expect(try q.workers() == [info])
        try q.unregister(worker: "w-1")
        #expect(try q.workers().isEmpty)
    }

    @Test func serverCheckAcceptsTheTestServer() throws {
        let q = try makeQueue()
        let result = try ServerCheck.run(q.redis)
        #expect(result.maxmemoryPolicy == "noeviction")
        #expect(result.warnings.isEmpty)
    }
}

@Suite struct JobIDTests {
    @Test func idsSortByTimeAndNameTheirQueue() {
        let a = JobID.make(queue: "train.gpu-1", milliseconds: 1_700_000_000_000)
        let b = JobID.make(queue: "a", milliseconds: 1_700_000_000_001)
        #expect(a < b)
        #expect(JobID.queue(of: a) == "train.gpu-1")
        #expect(JobID.milliseconds(of: b) == 1_700_000_000_001)
        #expect(!JobID.isValid("hello@default"))
        #expect(!JobID.isValid("0000000000aaaaaaaaaa@bad{queue}"))
    }

    @Test func queueNamesAreChecked() {
        #expect(throws: MMPError.self) { try QueueName.validated("a:b") }
        #expect(throws: MMPError.self) { try QueueName.validated("") }
        #expect(throws: Never.self) { try QueueName.validated("gpu_large-2.x") }
    }

    @Test func settingsFromAConfigSection() throws {
        let s = try QueueSettings(section: ["lease": "45s", "heartbeat": "15s", "max_deliveries": 7, "payload_limit": "2MiB",
                                            "backoff": ["base": "1s", "cap": "1m"], "result_ttl": "3d"])
        #expect(s.lease == 45 && s.heartbeat == 15 && s.maxDeliveries == 7 && s.payloadLimit == 2 << 20)
        #expect(s.backoffBase == 1 && s.backoffCap == 60 && s.resultTTL == 3 * 86400)
        #expect(throws: MMPError.self) { try QueueSettings(section: ["lease": "5s", "heartbeat": "10s"]) }
        #expect(throws: MMPError.self) { try QueueSettings(section: ["lease": "soon"]) }
        #expect(try QueueSettings(section: s.json) == s)
    }
}
