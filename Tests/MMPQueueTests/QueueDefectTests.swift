import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

/// Issue 9's defects on the queue's side, each against a real redis-server (a server of the
/// test's own where the test fills its memory or makes it a replica).
@Suite struct QueueDefectTests {
    /// Defect 1: with `maxmemory` reached, writes are refused with OOM. A claim must be refused
    /// before it pops anything (the script is declared as writing), a completion's refusal must
    /// be "Redis unavailable, retry" (`.connection`), not a final error that drops the result,
    /// and the reaper's lock refusal must not read as "another worker holds the lock". The lease
    /// renewal goes on (it adds nothing), so a worker holding a result keeps its lease.
    @Test func outOfMemoryRefusesClaimsBeforeThePopAndKeepsEverythingRetryable() throws {
        let redis = try OwnRedis()
        let q = try makeQueue(url: redis.url)
        let admin = try redis.connect()
        let k = q.keys("default")
        let running = try q.submit(.init(queue: "default", payload: noop(1))).id
        let waiting = try q.submit(.init(queue: "default", payload: noop(2))).id
        let job = try q.claimNext()
        #expect(job.lease.id == running)
        try admin.command("CONFIG", "SET", "maxmemory", "1")
        defer { _ = try? admin.command("CONFIG", "SET", "maxmemory", "0") }

        let claimError = caught { _ = try q.claim(queue: "default", ClaimRequest(worker: "w", token: "t", candidates: [waiting])) }
        #expect(claimError?.kind == .connection)
        #expect(claimError?.message.contains("OOM") == true)
        #expect(try q.pendingIDs() == [waiting])
        #expect(try q.state(waiting) == .queued)

        let completeError = caught { _ = try q.complete(job.lease, result: ["accuracy": 0.9]) }
        #expect(completeError?.kind == .connection)
        #expect(try q.state(running) == .active)

        let before = try #require(try q.record(running)?.fields["lease_expires_at"].flatMap { Int($0) })
        Backoff.sleep(0.01)
        #expect(try q.heartbeat([job.lease]) == [.ok])
        let after = try #require(try q.record(running)?.fields["lease_expires_at"].flatMap { Int($0) })
        #expect(after > before)

        let reapError = caught { _ = try q.reap(queue: "default", worker: "reaper") }
        #expect(reapError?.kind == .connection)
        #expect(caught { _ = try q.submit(.init(queue: "default", payload: noop(3))) }?.kind == .connection)

        // Memory freed: the kept result is recorded once, and claiming goes on.
        try admin.command("CONFIG", "SET", "maxmemory", "0")
        #expect(try q.complete(job.lease, result: ["accuracy": 0.9]).0 == .ok)
        #expect(try q.record(running)?.result?["accuracy"]?.doubleValue == 0.9)
        #expect(try q.claimNext().lease.id == waiting)
        #expect(try admin.command("LLEN", k.pending).int == 0)
    }

    /// Defect 1: a replica answers writes with READONLY. A heartbeat read that error reply as
    /// "ok" (a renewal that never happened); every write must be "Redis unavailable, retry".
    @Test func aReadOnlyReplicaIsUnavailableNeverAnAnswer() throws {
        let master = try OwnRedis()
        let replica = try OwnRedis(arguments: ["--replicaof", "127.0.0.1", "\(master.port)"])
        try waitForReplication(replica)
        let q = try makeQueue(url: master.url)
        let id = try q.submit(.init(queue: "default", payload: noop())).id
        let job = try q.claimNext()
        #expect(job.lease.id == id)
        let onReplica = JobQueue(redis: try replica.connect(), settings: q.settings)
        let heartbeat = caught { _ = try onReplica.heartbeat([job.lease]) }
        #expect(heartbeat?.kind == .connection)
        #expect(heartbeat?.message.contains("READONLY") == true)
        #expect(caught { _ = try onReplica.complete(job.lease, result: [:]) }?.kind == .connection)
        #expect(caught { _ = try onReplica.submit(.init(queue: "default", payload: noop())) }?.kind == .connection)
        #expect(caught { _ = try onReplica.reap(queue: "default", worker: "r") }?.kind == .connection)
        #expect(try q.complete(job.lease, result: [:]).0 == .ok)
    }

    /// Defect 2: a completion sent again after its reply was lost answered `already` and claimed
    /// a second job, which then sat leased to nobody until its lease expired. It claims only on `ok`.
    @Test func aResentCompletionClaimsNothing() throws {
        let q = try makeQueue()
        let a = try q.submit(.init(queue: "default", payload: noop(1))).id
        let b = try q.submit(.init(queue: "default", payload: noop(2))).id
        let c = try q.submit(.init(queue: "default", payload: noop(3))).id
        let first = try q.claim(queue: "default", ClaimRequest(worker: "w", token: "t1"))
        let job = try #require(first.jobs.first)
        #expect(job.lease.id == a)
        let (outcome, next) = try q.complete(job.lease, result: [:], next: ClaimRequest(worker: "w", token: "t2", candidates: first.peek))
        #expect(outcome == .ok && next.jobs.map(\.lease.id) == [b])
        // The same completion again (its reply was lost), still asking for a next job.
        let (again, second) = try q.complete(job.lease, result: [:], next: ClaimRequest(worker: "w", token: "t3", candidates: next.peek))
        #expect(again == .already)
        #expect(second.jobs.isEmpty)
        #expect(try q.state(c) == .queued)
        #expect(try q.pendingIDs() == [c])
        // The batch form too.
        let (statuses, none) = try q.completeAndClaim(queue: "default", completions: [(job.lease, [:])],
                                                      next: ClaimRequest(worker: "w", token: "t4", batch: 8, candidates: [c]))
        #expect(statuses == [.already] && none.jobs.isEmpty)
        #expect(try q.state(c) == .queued)
    }

    /// Defect 3: `max_deliveries` counted every claim, so a job failing retryably with
    /// `--max-attempts 8` ended dead after 5 deliveries. Only deliveries without a verdict count.
    @Test func retryableFailuresUseEveryAttemptNotTheDeliveryCap() throws {
        let q = try makeQueue { $0.maxDeliveries = 5 }
        let id = try q.submit(.init(queue: "default", payload: noop(), maxAttempts: 8)).id
        for attempt in 1...8 {
            let job = try q.claimNext()
            #expect(job.deliveries == attempt)
            let out = try q.fail(job.lease, mode: .retry, kind: "connection", message: "db down", backoff: 0)
            #expect(out.state == (attempt < 8 ? .scheduled : .failed))
            if attempt < 8 {
                Backoff.sleep(0.005)
                #expect(try q.reapNow().promoted == 1)
            }
        }
        let r = try #require(try q.record(id))
        #expect(r.state == .failed && r.attempts == 8 && r.deliveries == 8)
        #expect(r.errorMessage == "db down (gave up after 8 attempts)")
        #expect(r.fields["lost_deliveries"] == "0")
    }

    /// Defect 4: a job whose cancel was requested was put back to pending by a stopping worker;
    /// it is cancelled. And releases past `max_releases` count as deliveries without a verdict
    /// and say so in the record, so a job longer than the grace period ends dead, not forever
    /// requeued by scale-ins.
    @Test func releaseCancelsWhatWasCancelledAndCapsReleases() throws {
        let q = try makeQueue { $0.maxReleases = 2; $0.maxDeliveries = 2 }
        let cancelled = try q.submit(.init(queue: "default", payload: noop(1))).id
        let job = try q.claimNext()
        #expect(try q.cancel(cancelled) == .cancelling)
        #expect(try q.release(job.lease) == .cancelled)
        #expect(try q.state(cancelled) == .cancelled)
        #expect(try q.pendingIDs().isEmpty)

        let long = try q.submit(.init(queue: "default", payload: noop(2))).id
        var outcomes: [JobQueue.ReleaseOutcome] = []
        for _ in 0..<4 {
            outcomes.append(try q.release(try q.claimNext().lease))
        }
        #expect(outcomes == [.requeued(releases: 1), .requeued(releases: 2), .counted(releases: 3), .dead(releases: 4)])
        let r = try #require(try q.record(long))
        #expect(r.state == .dead && r.errorKind == "released")
        #expect(r.errorMessage == "released 4 times by stopping workers: the job runs longer than their grace period (delivery cap of 2 reached)")
    }

    /// Defect 6: `mmp jobs retry` did not hold the idempotency key again, so the same key made a
    /// second job; and a key whose record is gone named a job that no longer exists.
    @Test func idempotencyKeysFollowRetriesAndForgetLostRecords() throws {
        let q = try makeQueue()
        let first = try q.submit(.init(queue: "default", payload: noop(), idempotencyKey: "nightly"))
        let job = try q.claimNext()
        _ = try q.fail(job.lease, mode: .permanent, kind: "invalid_recipe", message: "bad", backoff: 0)
        let retried = try q.retry(first.id)
        #expect(retried == .init(from: .failed, holdsIdempotencyKey: true))
        let again = try q.submit(.init(queue: "default", payload: noop(), idempotencyKey: "nightly"))
        #expect(!again.created && again.id == first.id)

        // The record disappears (deleted by hand, lost with a Redis that had no append-only file).
        let k = q.keys("default")
        try q.redis.command("DEL", k.job(first.id))
        try q.redis.command("LREM", k.pending, "0", first.id)
        let fresh = try q.submit(.init(queue: "default", payload: noop(), idempotencyKey: "nightly"))
        #expect(fresh.created && fresh.id != first.id)
        #expect(try q.redis.command("HGET", k.idempotency, "nightly").string == fresh.id)
    }
}
