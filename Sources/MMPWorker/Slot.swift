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

    /// What a slot does next without waiting: an id it already took, or a job it already leased.
    enum Next {
        case taken(String, JobQueue.Taken)
        case claimed(ClaimedJob)
    }

    func run() {
        var carried: Next?
        var failures = 0
        while !supervisor.stopping.isSet {
            do {
                if let next = carried {
                    carried = nil
                    switch next {
                    case .claimed(let job): carried = execute(job)
                    case .taken(let queueName, let entry): carried = try handle(queueName, entry)
                    }
                    continue
                }
                let taken = try nextTaken()
                failures = 0
                guard let (queueName, entry) = taken else { continue }
                if supervisor.stopping.isSet {
                    // Taken just as the shutdown began: give it back unclaimed.
                    if case .id(let id) = entry { try? queue.untake(queue: queueName, entry: id) }
                    break
                }
                carried = try handle(queueName, entry)
            } catch {
                if supervisor.stopping.isSet { break }
                let e = MMPError.wrap(error)
                if failures == 0 { logger.error("redis unavailable: \(e.message); reconnecting", metadata: ["slot": "\(index)"]) }
                failures += 1
                if queue.redis.reconnect(backoff: Backoff(base: 0.1, cap: 5), shouldStop: { self.supervisor.stopping.isSet }) {
                    logger.info("redis connection restored", metadata: ["slot": "\(index)"])
                }
            }
        }
        // Stopping with a job leased but not started, or an id taken: give it back.
        switch carried {
        case .claimed(let job)?: try? queue.release(job.lease)
        case .taken(let queueName, .id(let id))?: try? queue.untake(queue: queueName, entry: id)
        default: break
        }
    }

    /// The next entry to claim: blocking on the one queue, or a pass over several in order and a
    /// blocking wait on their wake lists when all are empty.
    private func nextTaken() throws -> (String, JobQueue.Taken)? {
        let queues = options.queues
        let block = options.queue.blockTimeout
        if queues.count == 1 {
            setWaiting(true)
            defer { setWaiting(false) }
            if supervisor.stopping.isSet { return nil }
            return try queue.takeBlocking(queues[0], timeout: block).map { (queues[0], $0) }
        }
        for q in queues {
            if let t = try queue.take(q) { return (q, t) }
        }
        setWaiting(true)
        defer { setWaiting(false) }
        if supervisor.stopping.isSet { return nil }
        _ = try queue.waitForWork(queues, timeout: block)
        return nil
    }

    /// Claims and runs one taken entry; returns what to do next without waiting.
    private func handle(_ queueName: String, _ entry: JobQueue.Taken) throws -> Next? {
        switch entry {
        case .raw(let text):
            let id = try queue.buryRaw(queue: queueName, entry: text,
                                       reason: "pending entry is not a job id (\(Slot.excerpt(text))); only mmp submit may push to \(queue.keys(queueName).pending)")
            logger.error("malformed pending entry moved to dead", metadata: ["queue": "\(queueName)", "dead_id": "\(id)"])
            return nil
        case .id(let id):
            let reserve = queueName == options.queues[0] && !supervisor.stopping.isSet ? options.queue.inlineBatch : 0
            let outcome = try queue.claim(queue: queueName, id: id, worker: options.workerID, token: supervisor.nextToken(), reserve: reserve)
            return try process(outcome, queue: queueName, id: id)
        }
    }

    /// Acts on a claim's outcome: a leased job runs, an id without a record goes to dead.
    private func process(_ outcome: JobQueue.ClaimOutcome, queue queueName: String, id: String) throws -> Next? {
        switch outcome {
        case .missing:
            let deadID = try queue.buryRaw(queue: queueName, entry: id, reason: "pending entry \(id) has no job record (deleted or expired)")
            logger.error("pending id without a record moved to dead", metadata: ["job": "\(id)", "dead_id": "\(deadID)"])
            return nil
        case .skipped(let why):
            logger.debug("skipped \(id): \(why)")
            return nil
        case .claimed(let job):
            return execute(job)
        }
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

    private func execute(_ job: ClaimedJob) -> Next? {
        let lease = job.lease
        var meta: Logger.Metadata = ["job": "\(lease.id)", "delivery": "\(job.deliveries)"]
        let payload: JobPayload
        do {
            payload = try JobPayload(text: job.payloadText)
        } catch {
            let reason = "malformed payload: \(MMPError.wrap(error).message)"
            logger.error("job payload is malformed; moving it to dead", metadata: meta.merging(["reason": "\(reason)"]) { $1 })
            return finish(lease, .malformed(reason), job: job, meta: meta)
        }
        meta["kind"] = "\(payload.kind.rawValue)"
        if payload.kind == .noop && !job.reserved.isEmpty { return runInline(job) }
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
        return finish(lease, final, job: job, meta: meta)
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
    private func finish(_ lease: Lease, _ verdict: Verdict, job: ClaimedJob, meta: Logger.Metadata) -> Next? {
        var meta = meta
        let stopping = supervisor.stopping.isSet
        // Ids reserved with an inline job that did not go through runInline: back to pending.
        for id in job.reserved { try? queue.untake(queue: lease.queue, entry: id) }
        let takeNext = !stopping && lease.queue == options.queues[0]
        var next: Next?
        let written: String? = persist(meta) { () -> String in
            switch verdict {
            case .succeeded(let result):
                let (outcome, taken) = try queue.complete(lease, result: result, takeNext: takeNext)
                next = taken.map { .taken(lease.queue, $0) }
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
        guard let written else { return next }
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
        return next
    }

    /// Inline (no-op) jobs in batches: run the leased jobs, then record their completions and
    /// lease the ids reserved meanwhile in one `complete-and-claim` round trip, and again while
    /// the queue keeps giving inline jobs. Each job is still leased before it runs and its
    /// completion fenced by its token; a job of another kind among the reserved ids goes back
    /// to pending for a normal claim.
    private func runInline(_ first: ClaimedJob) -> Next? {
        let queueName = first.lease.queue
        var batch = [first]
        var reserved = first.reserved
        while !batch.isEmpty {
            var completions: [(Lease, JSON)] = []
            for job in batch {
                if (try? JobPayload(text: job.payloadText))?.kind == .noop {
                    completions.append((job.lease, ["kind": "noop"]))
                } else {
                    // Only a malformed payload gets here (the script leases no-op jobs only).
                    _ = execute(job.withoutReserved)
                }
            }
            let stopping = supervisor.stopping.isSet
            let claims = stopping ? [] : reserved.map { (id: $0, token: supervisor.nextToken()) }
            guard let outcome = persist(["queue": "\(queueName)", "batch": "\(completions.count)"], {
                try queue.completeAndClaim(queue: queueName, completions: completions, claims: claims, worker: options.workerID,
                                           reserve: stopping ? 0 : options.queue.inlineBatch)
            }) else { return nil }
            if stopping { for id in reserved { try? queue.untake(queue: queueName, entry: id) } }
            for (i, written) in outcome.completions.enumerated() where written == .stale {
                logger.warning("lease lost (the job was reassigned); result dropped", metadata: ["job": "\(completions[i].0.id)"])
            }
            batch = []
            for (i, claim) in outcome.claims.enumerated() {
                switch claim {
                case .claimed(let job): batch.append(job)
                case .missing:
                    if let deadID = try? queue.buryRaw(queue: queueName, entry: claims[i].id,
                                                        reason: "pending entry \(Slot.excerpt(claims[i].id)) has no job record") {
                        logger.error("pending entry without a record moved to dead", metadata: ["dead_id": "\(deadID)"])
                    }
                case .skipped: break
                }
            }
            reserved = outcome.reserved
        }
        for id in reserved { try? queue.untake(queue: queueName, entry: id) }
        return nil
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
