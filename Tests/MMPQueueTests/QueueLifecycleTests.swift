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
        #expect(outcome == .ok && next.jobs.isEmpty)
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
        #expect(try q.release(wrong) == .stale)
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
        #expect(out == .init(write: .ok, state: .scheduled, attempts: 1))
        #expect(try q.state(s.id) == .scheduled)
        #expect(try q.claimNothing().jobs.isEmpty)
        Backoff.sleep(0.08)
        #expect(try q.reapNow().promoted == 1)
        #expect(try q.state(s.id) == .queued)
        job = try q.claimNext()
        #expect(job.attempts == 1 && job.deliveries == 2)
        out = try q.fail(job.lease, mode: .retry, kind: "connection", message: "db down", backoff: 0.05)
        #expect(out.state == .failed && out.attempts == 2)
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
        #expect(out.state == .failed && out.attempts == 1)
        #expect(try q.record(s.id)?.errorMessage == "column churn not found")
        #expect(try q.fail(job.lease, mode: .permanent, kind: "x", message: "again", backoff: 0).write == .already)
    }

    @Test func crashesCountTowardTheDeliveryCapAndEndDead() throws {
        let q = try makeQueue { $0.maxDeliveries = 2 }
        let s = try q.submit(.init(queue: "default", payload: noop(), maxAttempts: 10))
        var job = try q.claimNext()
        #expect(try q.fail(job.lease, mode: .crash, kind: "internal", message: "child killed by signal 6", backoff: 0).state == .scheduled)
        Backoff.sleep(0.01)
        _ = try q.reapNow()
        job = try q.claimNext()
        let out = try q.fail(job.lease, mode: .crash, kind: "internal", message: "child killed by signal 6", backoff: 0)
        #expect(out.state == .dead && out.attempts == 0)
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

    @Test func claimDropsEntriesWhoseJobIsElsewhere() throws {
        let q = try makeQueue()
        let s = try q.submit(.init(queue: "default", payload: noop()))
        let job = try q.claimNext(worker: "first", token: "t1")
        // A stray duplicate of a running job's id in pending: dropped, never leased twice.
        try q.redis.command("LPUSH", q.keys("default").pending, s.id)
        let again = try q.claimNothing()
        #expect(again.jobs.isEmpty && again.buried.isEmpty)
        #expect(try q.pendingIDs().isEmpty)
        let r = try #require(try q.record(s.id))
        #expect(r.state == .active && r.worker == "first" && r.deliveries == 1 && r.fields["lease_token"] == "t1")
        // A job cancelled while queued is gone from pending: nothing to claim.
        let cancelled = try q.submit(.init(queue: "default", payload: noop(2)))
        #expect(try q.cancel(cancelled.id) == .cancelled)
        #expect(try q.claimNothing().jobs.isEmpty)
        #expect(try q.state(cancelled.id) == .cancelled)
        #expect(try q.complete(job.lease, result: [:]).0 == .ok)
    }

    @Test func releaseRequeuesAtTheFrontWithoutSpendingAnAttempt() throws {
        let q = try makeQueue()
        let a = try q.submit(.init(queue: "default", payload: noop(1)))
        let b = try q.submit(.init(queue: "default", payload: noop(2)))
        let job = try q.claimNext()
        #expect(job.lease.id == a.id)
        #expect(try q.release(job.lease) == .requeued(releases: 1))
        let r = try #require(try q.record(a.id))
        #expect(r.state == .queued && r.attempts == 0 && r.deliveries == 0 && r.worker == "")
        #expect(try q.pendingIDs() == [b.id, a.id])
        #expect(try q.claimNext().lease.id == a.id)
        #expect(try q.release(job.lease) == .stale)
    }

    @Test func retryFromDeadAndFailed() throws {
        let q = try makeQueue { $0.maxDeliveries = 1 }
        let s = try q.submit(.init(queue: "default", payload: noop()))
        let job = try q.claimNext()
        #expect(try q.fail(job.lease, mode: .crash, kind: "internal", message: "boom", backoff: 0).state == .dead)
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

    @Test func rawEntriesMissingRecordsAndUnreadablePayloadsBecomeDeadRecords() throws {
        let q = try makeQueue()
        let k = q.keys("default")
        // Oldest first: two raw payloads, an id without a record, a record whose payload is no
        // JSON, then a good job.
        try q.redis.command("LPUSH", k.pending, "{\"class\":\"HardWorker\",\"args\":[1]}")
        try q.redis.command("LPUSH", k.pending, "second\ngarbage")
        try q.redis.command("LPUSH", k.pending, "0000000000aaaaaaaaaa@default")
        let bad = try q.submit(.init(queue: "default", payload: noop(1))).id
        try q.redis.command("HSET", k.job(bad), "payload", "{not json")
        let good = try q.submit(.init(queue: "default", payload: noop(2))).id
        // One new dead record per claim (its key is declared): the second raw entry waits.
        let first = try q.claimNothing()
        #expect(first.jobs.isEmpty && first.buried.count == 1)
        let rawID = try #require(first.buried.first?.id)
        let raw = try #require(try q.record(rawID))
        #expect(raw.state == .dead && raw.errorKind == "invalid_input" && raw.payloadText.contains("HardWorker"))
        #expect(raw.errorMessage?.hasPrefix("pending entry is not a job id of queue default ({\"class\":\"HardWorker\"") == true)
        #expect(raw.errorMessage?.hasSuffix("only mmp submit may push to \(k.pending)") == true)
        #expect(try q.pendingIDs().last == "second\ngarbage")
        let second = try q.claimNothing()
        #expect(second.jobs.isEmpty && second.buried.count == 1)
        #expect(second.buried.first?.reason.contains("(second garbage)") == true)
        // The missing record, then the unreadable payload (dead in place), then the good job.
        let third = try q.claim(queue: "default", ClaimRequest(worker: "w", token: "t", batch: 8))
        #expect(third.buried.count == 2)
        #expect(third.buried.first?.reason == "pending entry 0000000000aaaaaaaaaa@default has no job record (deleted or expired)")
        #expect(third.buried.last?.id == bad)
        #expect(third.buried.last?.reason.hasPrefix("malformed payload: invalid JSON (") == true)
        #expect(third.jobs.map(\.lease.id) == [good])
        let b = try #require(try q.record(bad))
        #expect(b.state == .dead && b.errorMessage?.hasPrefix("malformed payload: invalid JSON") == true && b.deliveries == 1)
        #expect(try q.counts(queues: ["default"]).first?.dead == 4)
        #expect(try q.pendingIDs().isEmpty)
        // An id of another queue is no job of this one.
        try q.redis.command("LPUSH", k.pending, JobID.make(queue: "other", milliseconds: Clock.nowMillis()))
        #expect(try q.claimNothing().buried.first?.reason.contains("not a job id of queue default") == true)
    }

    @Test func aClaimTakesAndLeasesInOneStepAndLeavesNoWindow() throws {
        let q = try makeQueue { $0.lease = 0.3; $0.heartbeat = 0.1 }
        let s = try q.submit(.init(queue: "default", payload: noop()))
        // The submit's wake token is the job's id: a claim that expects it at the tail of pending
        // takes it in one round trip (every key the script touches is declared).
        let woken = try #require(try q.waitForWork(["default"], timeout: 1))
        #expect(woken.token == s.id)
        let before = q.redis.roundTrips
        let job = try #require(try q.claim(queue: "default", ClaimRequest(worker: "w-doomed", token: "T", candidates: [woken.token])).jobs.first)
        #expect(q.redis.roundTrips == before + 1)
        // The reply already finds the job active, owned and leased: nothing is ever "taken but
        // not leased", and the queue has no other place a claimed id could be.
        let r = try #require(try q.record(s.id))
        #expect(r.state == .active && r.worker == "w-doomed" && r.deliveries == 1 && r.fields["lease_token"] == "T")
        let expiry = try #require(r.fields["lease_expires_at"].flatMap { Int($0) })
        #expect(try q.redis.command("ZSCORE", q.keys("default").active, s.id).string == String(expiry))
        #expect(try q.keyNames() == ["active", "events", "job:\(s.id)"])
        #expect(job.lease.token == "T")
        // The worker dies right after the reply: the lease expires and the reaper takes it back,
        // counting the delivery.
        Backoff.sleep(0.35)
        #expect(try q.reapNow().requeued == 1)
        let back = try #require(try q.record(s.id))
        #expect(back.state == .queued && back.deliveries == 1 && back.worker.isEmpty)
        #expect(try q.pendingIDs() == [s.id])
        #expect(try q.complete(job.lease, result: [:]).0 == .stale)
        #expect(try q.claimNext(worker: "w-next").deliveries == 2)
    }

    @Test func completeClaimsTheNextJobInTheSameStep() throws {
        let q = try makeQueue()
        let a = try q.submit(.init(queue: "default", payload: noop(1)))
        let b = try q.submit(.init(queue: "default", payload: noop(2)))
        let claim = try q.claim(queue: "default", ClaimRequest(worker: "w", token: "t1"))
        let job = try #require(claim.jobs.first)
        #expect(job.lease.id == a.id)
        // The claim returned the new tail of pending: the completion's claim expects it there
        // and takes it in the same round trip.
        #expect(claim.peek == [b.id])
        let before = q.redis.roundTrips
        let (outcome, next) = try q.complete(job.lease, result: [:], next: ClaimRequest(worker: "w", token: "t2", candidates: claim.peek))
        #expect(q.redis.roundTrips == before + 1)
        #expect(outcome == .ok && next.jobs.map(\.lease.id) == [b.id])
        #expect(try q.record(b.id)?.fields["lease_token"] == "t2")
        #expect(try q.state(b.id) == .active)
        // A stale completion claims nothing.
        let stale = Lease(queue: "default", id: b.id, token: "wrong")
        _ = try q.submit(.init(queue: "default", payload: noop(3)))
        let (refused, none) = try q.complete(stale, result: [:], next: ClaimRequest(worker: "w", token: "t3"))
        #expect(refused == .stale && none.jobs.isEmpty)
        #expect(try q.pendingIDs().count == 1)
    }

    @Test func inlineJobsAreLeasedInBatchesEachWithItsOwnToken() throws {
        let q = try makeQueue()
        var ids: [String] = []
        for i in 0..<6 { ids.append(try q.submit(.init(queue: "default", payload: noop(i))).id) }
        let train = try q.submit(.init(queue: "default", payload: JobPayload(kind: .diagnostic))).id
        let last = try q.submit(.init(queue: "default", payload: noop(9))).id
        let first = try q.claim(queue: "default", ClaimRequest(worker: "w", token: "tA", batch: 2))
        #expect(first.jobs.map(\.lease.id) == [ids[0], ids[1]])
        #expect(first.jobs.map(\.lease.token) == ["tA", "tA.2"])
        #expect(try q.state(ids[0]) == .active && q.state(ids[1]) == .active)
        #expect(try q.redis.command("ZCARD", q.keys("default").active).int == 2)
        let before = q.redis.roundTrips
        let completions: [(Lease, JSON)] = first.jobs.map { ($0.lease, [:]) }
        let out = try q.completeAndClaim(queue: "default", completions: completions,
                                         next: ClaimRequest(worker: "w", token: "tB", batch: 8, candidates: first.peek))
        #expect(q.redis.roundTrips == before + 1)
        #expect(out.completions == [.ok, .ok])
        // The batch stops before the job that runs in a child; that one stays first in line.
        #expect(out.next.jobs.map(\.lease.id) == Array(ids[2...5]))
        #expect(out.next.jobs.allSatisfy { $0.deliveries == 1 && $0.kind == .noop })
        #expect(Set(out.next.jobs.map(\.lease.token)).count == 4)
        #expect(try q.pendingIDs() == [last, train])
        // Each batch's index moves are one variadic ZADD/ZREM: check every id landed.
        let k = q.keys("default")
        #expect(Set(try q.redis.command("ZRANGE", k.active, "0", "-1").array?.compactMap(\.string) ?? []) == Set(ids[2...5]))
        #expect(Set(try q.redis.command("ZRANGE", k.succeeded, "0", "-1").array?.compactMap(\.string) ?? []) == Set(ids[0...1]))
        // The same call sent again (its reply lost): the completions are already done.
        let again = try q.completeAndClaim(queue: "default", completions: completions, next: nil)
        #expect(again.completions == [.already, .already] && again.next.jobs.isEmpty)
        // A job for a child is leased alone, even with room in the batch.
        let third = try q.completeAndClaim(queue: "default", completions: out.next.jobs.map { ($0.lease, [:]) },
                                           next: ClaimRequest(worker: "w", token: "tC", batch: 8, candidates: out.next.peek))
        #expect(third.completions == [.ok, .ok, .ok, .ok])
        #expect(third.next.jobs.map(\.lease.id) == [train])
        #expect(try q.redis.command("ZRANGE", k.active, "0", "-1").array?.compactMap(\.string) == [train])
        #expect(try q.redis.command("ZCARD", k.succeeded).int == 6)
        #expect(try q.pendingIDs() == [last])
        #expect(try q.keyNames().filter { !$0.hasPrefix("job:") }.sorted() == ["active", "events", "pending", "succeeded", "wake"])
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

    /// Issue 9, defect 5: caps trimmed the indexes and left the records for their TTL (30 days
    /// for dead ones, one new record per malformed pending entry). The reaper deletes what it
    /// trims past a cap, records included.
    @Test func capsDeleteTheRecordsTheyTrim() throws {
        let q = try makeQueue { $0.deadCap = 3; $0.indexCap = 2 }
        let k = q.keys("default")
        for i in 0..<5 { try q.redis.command("LPUSH", k.pending, "garbage-\(i)") }
        var buried: [String] = []
        for _ in 0..<10 { buried += try q.claimNothing().buried.map(\.id) }
        #expect(buried.count == 5)
        var ids: [String] = []
        for i in 0..<4 { ids.append(try q.submit(.init(queue: "default", payload: noop(i))).id) }
        let batch = try q.claim(queue: "default", ClaimRequest(worker: "w", token: "t", batch: 8))
        #expect(batch.jobs.count == 4)
        #expect(try q.completeAndClaim(queue: "default", completions: batch.jobs.map { ($0.lease, [:]) }, next: nil).completions == [.ok, .ok, .ok, .ok])
        let report = try q.reapNow()
        #expect(report.trimmed == 4)
        #expect(try q.redis.command("ZRANGE", k.dead, "0", "-1").array?.compactMap(\.string) == Array(buried.suffix(3)))
        #expect(try q.redis.command("ZCARD", k.succeeded).int == 2)
        // The oldest dead records and the oldest succeeded ones are gone with their entries.
        for id in buried.prefix(2) + ids.prefix(2) { #expect(try q.record(id) == nil) }
        for id in buried.suffix(3) + ids.suffix(2) { #expect(try q.record(id) != nil) }
        #expect(try q.reapNow().trimmed == 0)
    }

    /// The cancel path of the reaper (a lease expiring on a job whose cancel was requested) is
    /// capped like the others: the caps are the reaper's, whatever wrote the index.
    @Test func leasesExpiringIntoCancelledAreCappedToo() throws {
        let q = try makeQueue { $0.indexCap = 1; $0.lease = 0.1; $0.heartbeat = 0.05 }
        var ids: [String] = []
        for i in 0..<3 {
            ids.append(try q.submit(.init(queue: "default", payload: noop(i))).id)
            _ = try q.claimNext()
            #expect(try q.cancel(ids[i]) == .cancelling)
        }
        Backoff.sleep(0.15)
        var report = try q.reapNow()
        #expect(report.cancelled == 3)
        if report.trimmed == 0 { report = try q.reapNow() }
        #expect(try q.redis.command("ZCARD", q.keys("default").cancelled).int == 1)
        #expect(try ids.filter { try q.record($0) != nil }.count == 1)
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
