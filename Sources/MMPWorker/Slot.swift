#if canImport(Glibc)
import Glibc
#endif
import Logging
import MMPCore
import MMPQueue
import MMPRedis

/// One unit of concurrency: claims a job, runs it (in a child, or inline for no-op jobs),
/// writes the verdict, and claims the next. Owns its Redis connection.
final class Slot: @unchecked Sendable {
    let index: Int
    unowned let supervisor: Supervisor
    let queue: JobQueue
    private let waitLock = MutexLock()
    private var waiting = false
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
        waitLock.withLock { if waiting { queue.redis.interrupt() } }
    }

    private func setWaiting(_ value: Bool) { waitLock.withLock { waiting = value } }

    /// Claims and runs jobs until shutdown. A job leaves `pending` only inside a claim script that
    /// leases it in the same step (design §3.2): an idle slot blocks on the wake lists, which
    /// moves nothing, then claims; a busy slot's completion claims its next job.
    func run() {
        var leased: [ClaimedJob] = []
        // Claim without waiting first: at start, after a reconnect and after a block timeout
        // (jobs may wait whose wake token went with a killed worker).
        var look = true
        var failures = 0
        while !supervisor.stopping.isSet {
            do {
                if !leased.isEmpty {
                    leased = perform(leased)
                } else if look {
                    look = false
                    leased = try claimFirst(of: options.queues)
                } else if let woken = try waitForWork() {
                    leased = try claimFirst(of: [woken])
                } else {
                    look = true
                }
                failures = 0
            } catch {
                if supervisor.stopping.isSet { break }
                let e = MMPError.wrap(error)
                if failures == 0 { logger.error("redis unavailable: \(e.message); reconnecting", metadata: ["slot": "\(index)"]) }
                failures += 1
                if queue.redis.reconnect(backoff: Backoff(base: 0.1, cap: 5), shouldStop: { self.supervisor.stopping.isSet }) {
                    logger.info("redis connection restored", metadata: ["slot": "\(index)"])
                }
                look = true
            }
        }
        // Jobs leased but not started (claimed as the shutdown began): a batch of inline jobs is
        // run (microseconds; nothing more is claimed), a job for a child goes back to pending
        // without spending an attempt or a delivery.
        if leased.allSatisfy({ $0.kind == "noop" }) {
            _ = runInline(leased)
        } else {
            for job in leased { _ = try? queue.release(job.lease) }
        }
        // A token this slot took just before the shutdown would be lost with it: put one back
        // where work waits, so another idle worker looks.
        _ = try? queue.nudge(options.queues)
    }

    /// Blocks on the wake lists of the slot's queues (BLPOP, in their order) up to the block
    /// timeout; returns the queue whose token it took.
    private func waitForWork() throws -> String? {
        setWaiting(true)
        defer { setWaiting(false) }
        if supervisor.stopping.isSet { return nil }
        return try queue.waitForWork(options.queues, timeout: options.queue.blockTimeout)
    }

    /// Claims from the first of `queues` (in order) that has a job; empty when none has.
    private func claimFirst(of queues: [String]) throws -> [ClaimedJob] {
        for q in queues {
            while !supervisor.stopping.isSet {
                let claim = try queue.claim(queue: q, claimRequest(q))
                report(claim.buried, queue: q)
                if !claim.jobs.isEmpty { return claim.jobs }
                // Only dead records made (one per call): claim again at once.
                if claim.buried.isEmpty { break }
            }
        }
        return []
    }

    /// A claim for this slot: inline jobs come in batches on the first queue only, so that a
    /// worker on several queues looks at the first again after each job of the others.
    private func claimRequest(_ queueName: String) -> ClaimRequest {
        ClaimRequest(worker: options.workerID, token: supervisor.nextToken(),
                     batch: queueName == options.queues[0] ? options.queue.inlineBatch : 1)
    }

    private func report(_ buried: [Claim.BuriedEntry], queue queueName: String) {
        for entry in buried {
            logger.error("malformed pending entry moved to dead", metadata: ["queue": "\(queueName)", "dead_id": "\(entry.id)",
                                                                           "reason": "\(entry.reason)"])
        }
    }

    /// Runs leased jobs; returns the jobs their completion leased next.
    private func perform(_ jobs: [ClaimedJob]) -> [ClaimedJob] {
        if jobs.count == 1, jobs[0].kind != "noop" { return execute(jobs[0]) }
        return runInline(jobs)
    }

    static func excerpt(_ text: String) -> String {
        let flat = text.map { $0.isNewline ? " " : $0 }
        return flat.count > 80 ? String(flat.prefix(80)) + "…" : String(flat)
    }

    // MARK: Running a job

    enum Verdict {
        case succeeded(JSON)
        case failed(kind: String, message: String, retryable: Bool)
        case crashed(String)
        case malformed(String)
        case stopped(StopReason)
    }

    /// Runs one leased job and records its verdict; returns the jobs its completion leased next
    /// (only with `claimNext`).
    private func execute(_ job: ClaimedJob, claimNext: Bool = true) -> [ClaimedJob] {
        let lease = job.lease
        var meta: Logger.Metadata = ["job": "\(lease.id)", "delivery": "\(job.deliveries)"]
        let payload: JobPayload
        do {
            payload = try JobPayload(text: job.payloadText)
        } catch {
            let reason = "malformed payload: \(MMPError.wrap(error).message)"
            logger.error("job payload is malformed; moving it to dead", metadata: meta.merging(["reason": "\(reason)"]) { $1 })
            return finish(lease, .malformed(reason), job: job, meta: meta, claimNext: false)
        }
        meta["kind"] = "\(payload.kind.rawValue)"
        if payload.kind == .train { meta["recipe"] = "\(payload.recipeName)" }
        let timeout = job.timeout > 0 ? job.timeout : options.queue.jobTimeout
        running.add(lease, timeout: timeout)
        let start = monotonic()
        if payload.kind != .noop { logger.info("job started", metadata: meta) }
        let verdict: Verdict
        if payload.kind == .noop {
            verdict = .succeeded(["kind": "noop"])
        } else {
            verdict = runChild(lease, payload: payload, meta: meta)
        }
        let entry = running.remove(lease.id)
        let final: Verdict = entry?.stopReason.map { .stopped($0) } ?? verdict
        meta["seconds"] = "\(JSON.format(((monotonic() - start) * 1000).rounded() / 1000))"
        return finish(lease, final, job: job, meta: meta, claimNext: claimNext)
    }

    private var running: RunningJobs { supervisor.running }

    private func runChild(_ lease: Lease, payload: JobPayload, meta: Logger.Metadata) -> Verdict {
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: options.mmpPath, arguments: ["run-job", "--job-id", lease.id], input: payload.json.serialized())
        } catch {
            return .failed(kind: "io", message: MMPError.wrap(error).message, retryable: true)
        }
        running.setChild(lease.id, pid: child.pid)
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
        running.childExited(lease.id)
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

    /// Writes the verdict, retrying across reconnects: every write is fenced by the lease token
    /// and idempotent, so sending it again after a lost reply is safe.
    @discardableResult
    private func finish(_ lease: Lease, _ verdict: Verdict, job: ClaimedJob, meta: Logger.Metadata, claimNext: Bool) -> [ClaimedJob] {
        var meta = meta
        // A busy slot claims its next job with the completion, from its first queue only (after a
        // job of another queue it looks at the first again), and not once the shutdown began.
        let next = claimNext && !supervisor.stopping.isSet && lease.queue == options.queues[0] ? claimRequest(lease.queue) : nil
        var leasedNext: [ClaimedJob] = []
        let written: String? = persist(meta) { () -> String in
            switch verdict {
            case .succeeded(let result):
                let (outcome, claim) = try queue.complete(lease, result: result, next: next)
                report(claim.buried, queue: lease.queue)
                leasedNext = claim.jobs
                return outcome == .stale ? "stale" : "succeeded"
            case .failed(let kind, let message, let retryable):
                let backoff = options.queue.retryDelay(attempt: job.attempts + 1)
                let out = try queue.fail(lease, mode: retryable ? .retry : .permanent, kind: kind, message: message, backoff: backoff)
                meta["error"] = "\(message)"
                return out.write == .stale ? "stale" : out.state
            case .crashed(let message):
                let backoff = options.queue.retryDelay(attempt: job.deliveries)
                let out = try queue.fail(lease, mode: .crash, kind: "internal", message: message, backoff: backoff)
                meta["error"] = "\(message)"
                return out.write == .stale ? "stale" : out.state
            case .malformed(let message):
                let out = try queue.fail(lease, mode: .dead, kind: "invalid_input", message: message, backoff: 0)
                return out.write == .stale ? "stale" : out.state
            case .stopped(.cancelled):
                return try queue.finishCancelled(lease) == .stale ? "stale" : "cancelled"
            case .stopped(.timedOut):
                let message = "job exceeded its timeout of \(JSON.format(job.timeout > 0 ? job.timeout : options.queue.jobTimeout))s and was stopped"
                meta["error"] = "\(message)"
                let out = try queue.fail(lease, mode: .permanent, kind: "timeout", message: message, backoff: 0)
                return out.write == .stale ? "stale" : out.state
            case .stopped(.leaseLost):
                return "stale"
            case .stopped(.shutdown):
                return try queue.release(lease) ? "requeued" : "stale"
            }
        }
        guard let written else { return leasedNext }
        switch written {
        case "succeeded":
            if job.kind != "noop" { logger.info("job succeeded", metadata: meta) }
        case "stale":
            logger.warning("lease lost (the job was reassigned); result dropped", metadata: meta)
        case "requeued":
            logger.info("job requeued (shutdown; no attempt spent)", metadata: meta)
        case "scheduled":
            logger.warning("job failed; retry scheduled", metadata: meta)
        case "dead":
            logger.error("job moved to dead", metadata: meta)
        case "cancelled":
            logger.info("job cancelled", metadata: meta)
        default:
            logger.error("job \(written)", metadata: meta)
        }
        return leasedNext
    }

    /// Inline (no-op) jobs in batches: run the leased jobs, then record their completions and
    /// claim the next batch in one `complete-and-claim` round trip, and again while the queue
    /// keeps giving inline jobs. Each job was leased (with its own token) in the step that took
    /// it from pending, and its completion is fenced by that token. Returns the jobs leased next
    /// that are not inline (a job for a child process ends a batch).
    private func runInline(_ first: [ClaimedJob]) -> [ClaimedJob] {
        guard let queueName = first.first?.lease.queue else { return [] }
        var batch = first
        while !batch.isEmpty {
            var completions: [(Lease, JSON)] = []
            for job in batch {
                if job.kind == "noop", (try? JobPayload(text: job.payloadText))?.kind == .noop {
                    completions.append((job.lease, ["kind": "noop"]))
                } else {
                    // A payload that does not read as a no-op job: run or reject it on its own.
                    _ = execute(job, claimNext: false)
                }
            }
            let next = supervisor.stopping.isSet || queueName != options.queues[0] ? nil : claimRequest(queueName)
            guard let outcome = persist(["queue": "\(queueName)", "batch": "\(completions.count)"], {
                try queue.completeAndClaim(queue: queueName, completions: completions, next: next)
            }) else { return [] }
            for (i, written) in outcome.completions.enumerated() where written == .stale {
                logger.warning("lease lost (the job was reassigned); result dropped", metadata: ["job": "\(completions[i].0.id)"])
            }
            report(outcome.next.buried, queue: queueName)
            batch = outcome.next.jobs
            if batch.count == 1, batch[0].kind != "noop" { return batch }
        }
        return []
    }

    /// Runs a write until it gets an answer: on a connection error, reconnects with backoff and
    /// sends it again. Gives up only on a non-connection error (logged) or a hard stop.
    private func persist<T>(_ meta: Logger.Metadata, _ write: () throws -> T) -> T? {
        var attempt = 0
        while true {
            do {
                return try write()
            } catch {
                let e = MMPError.wrap(error)
                guard e.kind == .connection || e.kind == .timeout else {
                    logger.error("cannot record the job's outcome: \(e.message)", metadata: meta)
                    return nil
                }
                if attempt == 0 { logger.error("redis unavailable while recording the outcome: \(e.message); retrying", metadata: meta) }
                Backoff.sleep(Backoff(base: 0.1, cap: 5).delay(attempt: attempt))
                attempt += 1
            }
        }
    }
}
