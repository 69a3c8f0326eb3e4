#if canImport(Glibc)
import Glibc
#endif
import Logging
import MMPCore
import MMPQueue
import MMPRedis
import Synchronization

/// One unit of concurrency: claims a job, runs it (in a child, or inline for no-op jobs),
/// records the verdict, and claims the next. Owns its Redis connection. What to do next is the
/// state machine's decision (`Supervisor.state`); the slot does the I/O.
final class Slot: @unchecked Sendable {
    // `peeks` and `progressMutedUntil` are touched by the slot's own thread only.
    let index: Int
    unowned let supervisor: Supervisor
    let queue: JobQueue
    /// True while the slot blocks in BLPOP; the signal thread interrupts only then, under this
    /// lock, so an interrupt never lands on a write.
    private let waiting = Mutex<Bool>(false)
    /// Per queue: the entries last seen at the tail of `pending` (the next claim's candidates).
    private var peeks: [String: [String]] = [:]
    /// After a failed progress write, progress is not sent again before this time (Redis down
    /// must not slow the child, whose output we relay).
    private var progressMutedUntil = 0.0

    var options: WorkerOptions { supervisor.options }
    var logger: Logger { supervisor.logger }

    init(index: Int, supervisor: Supervisor) {
        self.index = index
        self.supervisor = supervisor
        self.queue = JobQueue(redis: RedisConnection(settings: supervisor.options.redis), settings: supervisor.options.queue)
    }

    /// Breaks the slot's blocking wait for work (shutdown), never a write in progress.
    func interruptIfWaiting() {
        waiting.withLock { if $0 { queue.redis.interrupt() } }
    }

    /// Claims and runs jobs until shutdown. A job leaves `pending` only inside a claim script that
    /// leases it in the same step (design §3.2): an idle slot blocks on the wake lists, which
    /// moves nothing, then claims; a busy slot's completion claims its next job.
    func run() {
        var held: [ClaimedJob] = []
        // Claim without waiting first: at start, after a failure and after a block timeout
        // (jobs may wait whose wake token went with a killed worker).
        var look = true
        while true {
            if !held.isEmpty {
                held = perform(held)
                continue
            }
            let now = monotonic()
            switch supervisor.state({ $0.claimDecision(now: now) }) {
            case .stop:
                // A token this slot took just before the shutdown would be lost with it: put one
                // back where work waits, so another idle worker looks.
                _ = try? queue.nudge(options.queues)
                return
            case .pause(let until):
                sleep(until - now, unless: { !self.supervisor.isRunning })
                look = true
                continue
            case .claim:
                break
            }
            do {
                if look {
                    look = false
                    held = try claimFirst(of: options.queues, token: nil)
                } else if let (woken, token) = try waitForWork() {
                    held = try claimFirst(of: [woken], token: token)
                } else {
                    look = true
                }
            } catch {
                if !supervisor.isRunning { continue }
                let failure = WriteFailure(error)
                let pause = supervisor.state { $0.claimFailed(failure, now: monotonic()) }
                if pause.began {
                    logger.error("redis unavailable: \(failure.message); no claims until it takes writes again", metadata: ["slot": "\(index)"])
                }
                look = true
            }
        }
    }

    /// Blocks on the wake lists of the slot's queues (BLPOP, in their order) up to the block
    /// timeout; returns the queue whose token it took, and the token.
    private func waitForWork() throws -> (String, String)? {
        waiting.withLock { $0 = true }
        defer { waiting.withLock { $0 = false } }
        if !supervisor.isRunning { return nil }
        return try queue.waitForWork(options.queues, timeout: options.queue.blockTimeout)
    }

    /// Claims from the first of `queues` (in order) that has a job; empty when none has. A wake
    /// token that is a job id of its queue is the claim's first candidate.
    private func claimFirst(of queues: [String], token: String?) throws -> [ClaimedJob] {
        for q in queues {
            var candidates = token.flatMap { JobID.queue(of: $0) == q ? [$0] : nil } ?? peeks[q] ?? []
            while supervisor.isRunning {
                let claim = try queue.claim(queue: q, claimRequest(q, candidates: candidates))
                peeks[q] = claim.peek
                report(claim.buried, queue: q)
                if !claim.jobs.isEmpty {
                    supervisor.state { $0.leased(claim.jobs, now: monotonic()) }
                    return claim.jobs
                }
                // Only dead records made (one per call): claim again at once.
                if claim.buried.isEmpty { break }
                candidates = claim.peek
            }
        }
        return []
    }

    /// A claim for this slot: inline jobs come in batches on the first queue only, so that a
    /// worker on several queues looks at the first again after each job of the others.
    private func claimRequest(_ queueName: String, candidates: [String]? = nil) -> ClaimRequest {
        ClaimRequest(worker: options.workerID, token: supervisor.nextToken(),
                     batch: queueName == options.queues[0] ? options.queue.inlineBatch : 1, candidates: candidates ?? peeks[queueName] ?? [])
    }

    private func report(_ buried: [Claim.BuriedEntry], queue queueName: String) {
        for entry in buried {
            logger.error("malformed pending entry moved to dead", metadata: ["queue": "\(queueName)", "dead_id": "\(entry.id)",
                                                                           "reason": "\(entry.reason)"])
        }
    }

    /// Runs leased jobs; returns the jobs their completion leased next.
    private func perform(_ jobs: [ClaimedJob]) -> [ClaimedJob] {
        if jobs.allSatisfy(\.runsInline) { return runInline(jobs) }
        // A job for a child process is leased alone.
        var next: [ClaimedJob] = []
        for job in jobs { next = execute(job, claimNext: jobs.count == 1) }
        return next
    }

    static func excerpt(_ text: String) -> String {
        let flat = text.map { $0.isNewline ? " " : $0 }
        return flat.count > 80 ? String(flat.prefix(80)) + "…" : String(flat)
    }

    // MARK: Running a job

    /// Runs one leased job and records its verdict; returns the jobs its completion leased next
    /// (only with `claimNext`).
    private func execute(_ job: ClaimedJob, claimNext: Bool) -> [ClaimedJob] {
        let lease = job.lease
        var meta: Logger.Metadata = ["job": "\(lease.id)", "delivery": "\(job.deliveries)"]
        let payload: JobPayload
        do {
            payload = try JobPayload(text: job.payloadText)
        } catch {
            let reason = "malformed payload: \(MMPError.wrap(error).message)"
            logger.error("job payload is malformed; moving it to dead", metadata: meta.merging(["reason": "\(reason)"]) { $1 })
            supervisor.state { $0.finished(lease.id, .malformed(reason)) }
            return record([job], meta: meta, claimNext: false)
        }
        meta["kind"] = "\(payload.kind.rawValue)"
        if payload.kind == .train { meta["recipe"] = "\(payload.recipeName)" }
        let start = monotonic()
        guard supervisor.state({ $0.started(lease.id, now: start) }) else {
            // Stopped before it started (leased as the shutdown began, or cancelled).
            guard supervisor.state({ $0.exited(lease.id, .crashed("not started"), now: monotonic()) }) != nil else { return [] }
            return record([job], meta: meta, claimNext: false)
        }
        if payload.kind != .noop { logger.info("job started", metadata: meta) }
        let outcome: ChildOutcome = payload.kind == .noop ? .succeeded(["kind": "noop"]) : runChild(lease, payload: payload, meta: meta)
        let verdict = supervisor.state { $0.exited(lease.id, outcome, now: monotonic()) }
        meta["seconds"] = "\(JSON.format(((monotonic() - start) * 1000).rounded() / 1000))"
        guard verdict != nil else {
            logger.warning("lease lost (expired and reassigned); the job was stopped and its result dropped", metadata: meta)
            return []
        }
        return record([job], meta: meta, claimNext: claimNext)
    }

    private func runChild(_ lease: Lease, payload: JobPayload, meta: Logger.Metadata) -> ChildOutcome {
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: options.mmpPath, arguments: ["run-job", "--job-id", lease.id], input: payload.json.serialized(),
                                     environment: supervisor.childEnvironment)
        } catch {
            return .failed(kind: "io", message: MMPError.wrap(error).message, retryable: true)
        }
        supervisor.state { m in
            // Stopped while it was being spawned (a cancel): stop it now.
            if m.spawned(lease.id, pid: child.pid) { _ = kill(child.pid, SIGKILL) }
        }
        var result: JSON?
        var reported: (kind: String, message: String, retryable: Bool)?
        while let line = child.readLine() {
            guard !line.isEmpty else { continue }
            guard let message = try? ChildMessage(line: line) else {
                logger.debug("child output: \(Slot.excerpt(line))", metadata: meta)
                continue
            }
            switch message {
            case .stage(let stage):
                relay(lease, event: "stage", stage: stage, progress: nil)
            case .stageDone(let stage, let detail, let seconds):
                logger.info("stage \(stage) done in \(JSON.format((seconds * 1000).rounded() / 1000))s: \(detail)", metadata: meta)
                relay(lease, event: "stage_done", stage: stage, progress: nil)
            case .progress(let stage, let value):
                relay(lease, event: "progress", stage: stage, progress: value)
            case .result(let r):
                result = r
            case .error(let kind, let text):
                reported = (kind.rawValue, text, kind.isRetryable)
            }
        }
        child.waitForExit()
        supervisor.state { $0.childGone(lease.id) }
        switch child.reap() {
        case .code(0):
            if let result { return .succeeded(result) }
            return .crashed("job process exited 0 without a result")
        case .code(let code):
            if let reported { return .failed(kind: reported.kind, message: reported.message, retryable: reported.retryable) }
            return .crashed("job process exited with status \(code) without an error message")
        case .signal(let s):
            return .crashed("job process killed by \(ChildProcess.signalName(s))")
        }
    }

    /// Progress and stages are best effort: a failed write is not retried (the next one carries
    /// the newer state), and a stale lease is noticed by the heartbeat.
    private func relay(_ lease: Lease, event: String, stage: String, progress: Double?) {
        let now = monotonic()
        guard now >= progressMutedUntil else { return }
        do {
            try queue.progress(lease, event: event, stage: stage, progress: progress)
        } catch {
            progressMutedUntil = now + 1
        }
    }

    /// Inline (no-op) jobs in batches: run the leased jobs, then record their completions and
    /// claim the next batch in one `complete-and-claim` round trip, and again while the queue
    /// keeps giving inline jobs. Each job was leased (with its own token) in the step that took
    /// it from pending, and its completion is fenced by that token. Returns the jobs leased next
    /// that are not inline (a job for a child process ends a batch).
    private func runInline(_ first: [ClaimedJob]) -> [ClaimedJob] {
        var batch = first
        while !batch.isEmpty {
            var done: [ClaimedJob] = []
            for job in batch {
                if (try? JobPayload(text: job.payloadText))?.kind == .noop {
                    done.append(job)
                } else {
                    // A payload that does not read as a no-op job: run or reject it on its own.
                    _ = execute(job, claimNext: false)
                }
            }
            let now = monotonic()
            supervisor.state { m in
                for job in done {
                    _ = m.started(job.lease.id, now: now)
                    m.finished(job.lease.id, .succeeded(Slot.noopResult))
                }
            }
            batch = record(done, meta: ["queue": "\(first[0].lease.queue)", "batch": "\(done.count)"], claimNext: true)
            if batch.count == 1, !batch[0].runsInline { return batch }
        }
        return []
    }

    static let noopResult: JSON = ["kind": "noop"]

    // MARK: Recording verdicts

    /// Records the verdicts of `jobs` (one job, or a batch of inline jobs of one queue) as the
    /// state machine says: now, again after a backoff while Redis refuses (the result is kept,
    /// the lease renewed meanwhile, and no slot claims), or not at all once the lease is gone.
    /// Returns the jobs the write claimed next.
    private func record(_ jobs: [ClaimedJob], meta: Logger.Metadata, claimNext: Bool) -> [ClaimedJob] {
        guard let queueName = jobs.first?.lease.queue else { return [] }
        let byID = Dictionary(jobs.map { ($0.lease.id, $0) }, uniquingKeysWith: { a, _ in a })
        let ids = jobs.map(\.lease.id)
        let wantsNext = claimNext && queueName == options.queues[0]
        while true {
            let now = monotonic()
            switch supervisor.state({ $0.nextWrite(ids, wantsNext: wantsNext, now: now) }) {
            case .done:
                return []
            case .giveUp(let lost):
                for g in lost {
                    logger.error("cannot record the job's verdict (\(g.reason)); giving it up: the job runs again when its lease ends",
                                 metadata: meta.merging(["job": "\(g.id)", "verdict": "\(Slot.describe(g.verdict))"]) { $1 })
                }
                return []
            case .wait(let until):
                sleep(until - now, unless: { false })
            case .write(let live, let next):
                do {
                    let verdicts = supervisor.state { m in live.map { m.verdict($0) } }
                    let (outcomes, leasedNext) = try write(live.compactMap { byID[$0] }, queue: queueName, claimNext: next)
                    supervisor.state { m in
                        _ = m.wrote(live, .success(outcomes), now: monotonic())
                        if !leasedNext.isEmpty { m.leased(leasedNext, now: monotonic()) }
                    }
                    for (n, outcome) in outcomes.enumerated() where n < live.count {
                        log(outcome, job: byID[live[n]], verdict: verdicts[n], meta: meta)
                    }
                    return leasedNext
                } catch {
                    let failure = WriteFailure(error)
                    let action = supervisor.state { $0.wrote(live, .failure(failure), now: monotonic()) }
                    if case .retry(first: true) = action {
                        logger.error("redis refuses to record the outcome: \(failure.message); keeping the result and sending it again with backoff; no new claims meanwhile",
                                     metadata: meta)
                    }
                }
            }
        }
    }

    /// Sends the verdicts of `jobs`; returns what the queue did with each, and the jobs it
    /// claimed next.
    private func write(_ jobs: [ClaimedJob], queue queueName: String, claimNext: Bool) throws -> ([RecordedOutcome], [ClaimedJob]) {
        let next = claimNext ? claimRequest(queueName) : nil
        if jobs.count > 1 || jobs.first?.runsInline == true {
            let out = try queue.completeAndClaim(queue: queueName, completions: jobs.map { ($0.lease, Slot.noopResult) }, next: next)
            peeks[queueName] = out.next.peek
            report(out.next.buried, queue: queueName)
            return (out.completions.map(Slot.recorded), out.next.jobs)
        }
        guard let job = jobs.first, let verdict = supervisor.state({ $0.verdict(job.lease.id) }) else { return ([], []) }
        let lease = job.lease
        switch verdict {
        case .succeeded(let result):
            let (outcome, claim, replicas) = try queue.completeReplicated(lease, result: result, next: next)
            peeks[queueName] = claim.peek
            report(claim.buried, queue: queueName)
            if replicas == 0 {
                logger.warning("no replica acknowledged the completion within queue.replica_timeout (durability: replicas)", metadata: ["job": "\(lease.id)"])
            }
            return ([Slot.recorded(outcome)], claim.jobs)
        case .failed(let kind, let message, let retryable):
            let backoff = options.queue.retryDelay(attempt: job.attempts + 1)
            return ([Slot.recorded(try queue.fail(lease, mode: retryable ? .retry : .permanent, kind: kind, message: message, backoff: backoff))], [])
        case .crashed(let message):
            let backoff = options.queue.retryDelay(attempt: job.deliveries)
            return ([Slot.recorded(try queue.fail(lease, mode: .crash, kind: "internal", message: message, backoff: backoff))], [])
        case .malformed(let message):
            return ([Slot.recorded(try queue.fail(lease, mode: .dead, kind: "invalid_input", message: message, backoff: 0))], [])
        case .timedOut(let limit):
            let message = "job exceeded its timeout of \(JSON.format(limit > 0 ? limit : options.queue.jobTimeout))s and was stopped"
            return ([Slot.recorded(try queue.fail(lease, mode: .permanent, kind: "timeout", message: message, backoff: 0))], [])
        case .cancelled:
            switch try queue.finishCancelled(lease) {
            case .ok: return ([.cancelled], [])
            case .already: return ([.alreadyRecorded], [])
            case .stale: return ([.stale], [])
            }
        case .released:
            switch try queue.release(lease) {
            case .requeued: return ([.requeued(counted: false)], [])
            case .counted: return ([.requeued(counted: true)], [])
            case .dead: return ([.dead], [])
            case .cancelled: return ([.cancelled], [])
            case .stale: return ([.stale], [])
            }
        }
    }

    static func recorded(_ outcome: JobQueue.WriteOutcome) -> RecordedOutcome {
        switch outcome {
        case .ok: return .succeeded
        case .already: return .alreadyRecorded
        case .stale: return .stale
        }
    }

    static func recorded(_ outcome: JobQueue.FailOutcome) -> RecordedOutcome {
        switch (outcome.write, outcome.state) {
        case (.stale, _): return .stale
        case (.already, _): return .alreadyRecorded
        case (.ok, .scheduled?): return .retryScheduled
        case (.ok, .dead?): return .dead
        case (.ok, _): return .failed
        }
    }

    static func describe(_ verdict: Verdict) -> String {
        switch verdict {
        case .succeeded(let result): return "succeeded with result \(result.serialized())"
        case .failed(let kind, let message, _): return "failed [\(kind)] \(message)"
        case .crashed(let message): return "crashed: \(message)"
        case .malformed(let message): return "malformed: \(message)"
        case .cancelled: return "cancelled"
        case .timedOut(let limit): return "timed out after \(JSON.format(limit))s"
        case .released: return "given back at shutdown"
        }
    }

    private func log(_ outcome: RecordedOutcome, job: ClaimedJob?, verdict: Verdict?, meta: Logger.Metadata) {
        var meta = meta
        if let job { meta["job"] = "\(job.lease.id)" }
        switch verdict {
        case .failed(_, let message, _)?, .crashed(let message)?, .malformed(let message)?: meta["error"] = "\(message)"
        case .timedOut(let limit)?: meta["error"] = "job exceeded its timeout of \(JSON.format(limit > 0 ? limit : options.queue.jobTimeout))s"
        default: break
        }
        switch outcome {
        case .succeeded, .alreadyRecorded:
            if job?.runsInline != true { logger.info("job succeeded", metadata: meta) }
        case .stale:
            logger.warning("lease lost (the job was reassigned); result dropped", metadata: meta)
        case .requeued(let counted):
            logger.info(counted ? "job requeued (shutdown; past queue.max_releases, counted as a delivery)" : "job requeued (shutdown; no attempt spent)",
                        metadata: meta)
        case .retryScheduled:
            logger.warning("job failed; retry scheduled", metadata: meta)
        case .failed:
            logger.error("job failed", metadata: meta)
        case .dead:
            logger.error("job moved to dead", metadata: meta)
        case .cancelled:
            logger.info("job cancelled", metadata: meta)
        }
    }
}
