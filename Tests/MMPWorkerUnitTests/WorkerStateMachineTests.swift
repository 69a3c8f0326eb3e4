import MMPCore
import MMPQueue
import Testing
@testable import MMPWorker

/// The supervisor's decisions without Redis, processes or clocks: each test drives the state
/// machine with events and a time of its own, and checks the actions it answers.
@Suite struct WorkerStateMachineTests {
    func machine(grace: Double = 10) -> WorkerStateMachine {
        WorkerStateMachine(configuration: .init(grace: grace), seed: 7)
    }

    func job(_ id: String, inline: Bool = false, timeout: Double = 0) -> ClaimedJob {
        ClaimedJob(lease: Lease(queue: "default", id: id, token: "tok-\(id)"), payloadText: "{}", kind: inline ? .noop : .train,
                   timeout: timeout)
    }

    /// A child job leased, started and spawned with `pid`.
    func running(_ m: inout WorkerStateMachine, _ id: String, pid: Int32 = 100, timeout: Double = 0, at now: Double = 0) {
        m.leased([job(id, timeout: timeout)], now: now)
        #expect(m.started(id, now: now) == true)
        #expect(m.spawned(id, pid: pid) == false)
    }

    // MARK: Defect 1: a worker whose writes are refused keeps its results and stops claiming

    @Test func aRefusedCompletionIsKeptRetriedWithBackoffAndHoldsBackClaims() {
        var m = machine()
        running(&m, "a")
        #expect(m.exited("a", .succeeded(["accuracy": 0.9]), now: 4) == .succeeded(["accuracy": 0.9]))
        #expect(m.nextWrite(["a"], wantsNext: true, now: 4) == .write(ids: ["a"], claimNext: true))
        // Redis answers OOM: the verdict stays, Redis counts as refusing.
        #expect(m.wrote(["a"], .failure(.unavailable("OOM command not allowed")), now: 4) == .retry(first: true))
        #expect(m.verdict("a") == .succeeded(["accuracy": 0.9]))
        #expect(m.refusingSince == 4)
        guard case .wait(let until) = m.nextWrite(["a"], wantsNext: true, now: 4) else { Issue.record("expected a wait"); return }
        #expect(until > 4 && until <= 4.1)
        // No slot claims while a verdict waits to be recorded.
        guard case .pause = m.claimDecision(now: 4.01) else { Issue.record("claims must pause"); return }
        // The lease of the finished job is still renewed.
        #expect(m.leases.map(\.id) == ["a"])
        #expect(m.renewed([(m.leases[0], .ok)], now: 5).isEmpty)
        // The second refusal waits longer (backoff), and is not logged again.
        #expect(m.wrote(["a"], .failure(.unavailable("OOM")), now: 5) == .retry(first: false))
        guard case .wait(let second) = m.nextWrite(["a"], wantsNext: true, now: 5) else { Issue.record("expected a wait"); return }
        #expect(second - 5 > 0.05)
        // Memory freed: the write goes through once; claims resume.
        #expect(m.nextWrite(["a"], wantsNext: true, now: second) == .write(ids: ["a"], claimNext: false))
        #expect(m.wrote(["a"], .success([.succeeded]), now: second) == .done)
        #expect(m.jobs.isEmpty && m.refusingSince == nil)
        #expect(m.claimDecision(now: second) == .claim)
    }

    @Test func aResultWhoseLeaseIsGoneIsDroppedNotRetriedForever() {
        var m = machine()
        running(&m, "a")
        _ = m.exited("a", .succeeded([:]), now: 1)
        _ = m.nextWrite(["a"], wantsNext: false, now: 1)
        _ = m.wrote(["a"], .failure(.unavailable("LOADING")), now: 1)
        let lease = m.leases[0]
        #expect(m.renewed([(lease, .lost)], now: 2) == [.dropped(id: "a", .succeeded([:]))])
        #expect(m.nextWrite(["a"], wantsNext: false, now: 3) == .done)
        #expect(m.claimDecision(now: 3) == .claim)
    }

    @Test func aFailedHeartbeatRenewsNothingAndLearnsNothing() {
        var m = machine()
        running(&m, "a", pid: 42)
        #expect(m.renewFailed(.unavailable("READONLY You can't write against a read only replica"), now: 1) == true)
        // Not read as "renewed and fine" nor as "lost": the job runs on, untouched.
        #expect(m.jobs["a"]?.stop == nil && m.jobs["a"]?.pid == 42)
        #expect(m.renewed([(m.leases[0], .cancel)], now: 2) == [.stop(.init(id: "a", pid: 42, reason: .cancelled))])
    }

    @Test func refusedClaimsBackOffUntilAWriteGoesThrough() {
        var m = machine()
        let first = m.claimFailed(.unavailable("OOM"), now: 0)
        #expect(first.began && first.until > 0 && first.until <= 0.1)
        let second = m.claimFailed(.unavailable("OOM"), now: first.until)
        #expect(!second.began && second.until - first.until >= 0.1)
        #expect(m.claimDecision(now: first.until) == .pause(until: second.until))
        #expect(m.claimDecision(now: second.until) == .claim)
        m.leased([job("x", inline: true)], now: second.until)
        #expect(m.refusingSince == nil && m.claimRefusals == 0)
    }

    @Test func aWriteRedisKeepsRejectingIsGivenUpWithItsVerdict() {
        var m = machine()
        running(&m, "a")
        _ = m.exited("a", .failed(kind: "sql", message: "bad", retryable: false), now: 0)
        var now = 0.0
        for _ in 0..<5 {
            guard case .write = m.nextWrite(["a"], wantsNext: false, now: now) else { Issue.record("expected a write"); return }
            _ = m.wrote(["a"], .failure(.rejected("ERR wrong number of arguments")), now: now)
            now += 10
        }
        let decision = m.nextWrite(["a"], wantsNext: false, now: now)
        guard case .giveUp(let lost) = decision else { Issue.record("expected give up, got \(decision)"); return }
        #expect(lost.map(\.id) == ["a"] && lost[0].verdict == .failed(kind: "sql", message: "bad", retryable: false))
        #expect(m.jobs.isEmpty)
    }

    @Test func atShutdownAVerdictRedisStillRefusesIsGivenUpAfterTheWindow() {
        var m = machine(grace: 1)
        running(&m, "a")
        _ = m.exited("a", .succeeded([:]), now: 0)
        _ = m.nextWrite(["a"], wantsNext: false, now: 0)
        _ = m.wrote(["a"], .failure(.unavailable("OOM")), now: 0)
        _ = m.signal(now: 0)
        _ = m.tick(now: 1)
        guard case .stopping = m.phase else { Issue.record("grace is over"); return }
        // Within the window after the grace period it is still sent again.
        #expect(m.nextWrite(["a"], wantsNext: false, now: 2) == .write(ids: ["a"], claimNext: false))
        _ = m.wrote(["a"], .failure(.unavailable("OOM")), now: 2)
        guard case .giveUp(let lost) = m.nextWrite(["a"], wantsNext: false, now: 7) else { Issue.record("given up after the window"); return }
        #expect(lost == [.init(id: "a", verdict: .succeeded([:]), reason: "redis still refused the write when the worker had to exit")])
    }

    // MARK: Defect 2: a write sent again never claims

    @Test func onlyTheFirstSendOfACompletionClaimsTheNextJob() {
        var m = machine()
        running(&m, "a")
        _ = m.exited("a", .succeeded([:]), now: 1)
        #expect(m.nextWrite(["a"], wantsNext: true, now: 1) == .write(ids: ["a"], claimNext: true))
        // The reply was lost (connection dropped): the outcome is unknown, the write goes again.
        _ = m.wrote(["a"], .failure(.unavailable("connection lost")), now: 1)
        #expect(m.nextWrite(["a"], wantsNext: true, now: 10) == .write(ids: ["a"], claimNext: false))
        // Failures and other verdicts never claim.
        running(&m, "b")
        _ = m.exited("b", .failed(kind: "io", message: "x", retryable: true), now: 11)
        #expect(m.nextWrite(["b"], wantsNext: true, now: 11) == .write(ids: ["b"], claimNext: false))
    }

    // MARK: Defect 4: shutdown, cancel and success

    @Test func aCancelDuringTheShutdownCancelsInsteadOfGivingBack() {
        var m = machine(grace: 1)
        running(&m, "a", pid: 7)
        #expect(m.signal(now: 0) == .drain(running: 1))
        #expect(m.tick(now: 1) == [.init(id: "a", pid: 7, reason: .shutdown)])
        // The heartbeat then finds the cancel flag: the cancel wins over the shutdown.
        #expect(m.renewed([(m.leases[0], .cancel)], now: 1.1) == [.stop(.init(id: "a", pid: 7, reason: .cancelled))])
        #expect(m.exited("a", .crashed("job process killed by SIGKILL"), now: 1.2) == .cancelled)
    }

    @Test(arguments: [StopReason.shutdown, .cancelled, .timedOut])
    func aChildThatSucceededKeepsItsSuccessWhateverStoppedItAfter(_ reason: StopReason) {
        var m = machine()
        running(&m, "a", pid: 9)
        #expect(m.stop("a", reason: reason)?.pid == 9)
        #expect(m.exited("a", .succeeded(["rows": 10]), now: 2) == .succeeded(["rows": 10]))
    }

    @Test func aStoppedChildsOwnFailureGivesWayToTheStopReason() {
        var m = machine()
        running(&m, "a")
        _ = m.stop("a", reason: .shutdown)
        #expect(m.exited("a", .crashed("job process killed by SIGKILL"), now: 2) == .released)
        running(&m, "b", timeout: 5)
        #expect(m.tick(now: 4).isEmpty)
        #expect(m.tick(now: 6) == [.init(id: "b", pid: 100, reason: .timedOut)])
        #expect(m.exited("b", .failed(kind: "internal", message: "killed", retryable: true), now: 6) == .timedOut(limit: 5))
    }

    @Test func aLostLeaseStopsTheJobAndLeavesNothingToWrite() {
        var m = machine()
        running(&m, "a", pid: 5)
        #expect(m.renewed([(m.leases[0], .lost)], now: 1) == [.stop(.init(id: "a", pid: 5, reason: .leaseLost))])
        #expect(m.exited("a", .crashed("killed"), now: 1) == nil)
        #expect(m.jobs.isEmpty)
    }

    // MARK: Shutdown and signals

    @Test func theGracePeriodThenASecondSignal() {
        var m = machine(grace: 5)
        running(&m, "a", pid: 1)
        running(&m, "b", pid: 2)
        #expect(m.signal(now: 10) == .drain(running: 2))
        #expect(m.claimDecision(now: 10) == .stop)
        #expect(m.tick(now: 12).isEmpty)
        #expect(m.signal(now: 13) == .stopNow([.init(id: "a", pid: 1, reason: .shutdown), .init(id: "b", pid: 2, reason: .shutdown)]))
        #expect(m.signal(now: 14) == .none)
    }

    @Test func aJobLeasedAsTheShutdownBeganIsGivenBackUnstarted() {
        var m = machine()
        _ = m.signal(now: 0)
        m.leased([job("late")], now: 0.1)
        #expect(m.started("late", now: 0.1) == false)
        #expect(m.exited("late", .crashed("not started"), now: 0.1) == .released)
        #expect(m.nextWrite(["late"], wantsNext: true, now: 0.1) == .write(ids: ["late"], claimNext: false))
        // Inline jobs leased then are still run (microseconds).
        m.leased([job("i1", inline: true)], now: 0.2)
        #expect(m.started("i1", now: 0.2) == true)
    }

    @Test func aCancelDuringTheSpawnKillsTheChildOnceItExists() {
        var m = machine()
        m.leased([job("a")], now: 0)
        #expect(m.started("a", now: 0) == true)
        #expect(m.cancelAnnounced("a") == .init(id: "a", pid: 0, reason: .cancelled))
        #expect(m.spawned("a", pid: 77) == true)
        m.childGone("a")
        #expect(m.exited("a", .crashed("killed"), now: 1) == .cancelled)
    }

    // MARK: Inline batches

    @Test func anInlineBatchIsWrittenAndRetriedAsOne() {
        var m = machine()
        let batch = (1...3).map { job("n\($0)", inline: true) }
        m.leased(batch, now: 0)
        for j in batch {
            #expect(m.started(j.lease.id, now: 0) == true)
            m.finished(j.lease.id, .succeeded(["kind": "noop"]))
        }
        #expect(m.stop("n1", reason: .cancelled) == nil)
        let ids = batch.map(\.lease.id)
        #expect(m.nextWrite(ids, wantsNext: true, now: 0) == .write(ids: ids, claimNext: true))
        _ = m.wrote(ids, .failure(.unavailable("TRYAGAIN")), now: 0)
        guard case .wait(let until) = m.nextWrite(ids, wantsNext: true, now: 0) else { Issue.record("expected a wait"); return }
        #expect(m.nextWrite(ids, wantsNext: true, now: until) == .write(ids: ids, claimNext: false))
        #expect(m.wrote(ids, .success([.succeeded, .succeeded, .alreadyRecorded]), now: until) == .done)
        #expect(m.jobs.isEmpty)
    }
}
