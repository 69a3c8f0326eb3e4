import MMPCore
import MMPQueue

/// Running jobs: starts, stops, exits, heartbeats, timeouts, signals.
extension WorkerStateMachine {
    /// A job to stop: kill `pid` (0: no child yet; it is killed when it spawns) and say why.
    struct Stop: Equatable, Sendable {
        var id: String
        var pid: Int32
        var reason: StopReason
    }

    /// The job begins to run (its child is about to be spawned, or it runs inline). Returns false
    /// when it was stopped before it started (shutdown, cancel): the caller does not start it and
    /// reports it `exited` as not started.
    mutating func started(_ id: String, now: Double) -> Bool {
        guard jobs[id] != nil else { return false }
        // Leased as the shutdown began: given back unstarted, nothing spent.
        if phase != .running, !jobs[id]!.inline, jobs[id]!.stop == nil { jobs[id]!.stop = .shutdown }
        jobs[id]!.startedAt = now
        return jobs[id]!.stop == nil
    }

    /// The child has exited and is about to be reaped: no more signals to its pid.
    mutating func childGone(_ id: String) {
        jobs[id]?.pid = 0
    }

    /// Its child exists. Returns true when the job was stopped before (a cancel during the
    /// spawn): the caller kills the child at once.
    mutating func spawned(_ id: String, pid: Int32) -> Bool {
        guard jobs[id] != nil else { return false }
        jobs[id]!.pid = pid
        return jobs[id]!.stop != nil
    }

    /// Records why a job must stop; returns what to kill, or nil when there is nothing to do
    /// (unknown job, already ended, or already stopping for a reason that stands). The first
    /// reason wins, except that a cancel replaces a shutdown: a job whose cancel was requested
    /// is cancelled, never given back to pending.
    mutating func stop(_ id: String, reason: StopReason) -> Stop? {
        // Inline jobs run for microseconds inside the slot: there is nothing to stop.
        guard var job = jobs[id], job.verdict == nil, !job.inline else { return nil }
        if let existing = job.stop, !(existing == .shutdown && reason == .cancelled) { return nil }
        job.stop = reason
        jobs[id] = job
        return Stop(id: id, pid: job.pid, reason: reason)
    }

    /// The job's child ended (and is about to be reaped: no more signals to its pid). Returns
    /// the verdict to record, or nil when there is none (its lease is gone).
    ///
    /// A success stands whatever stopped the job afterwards (a cancel, a timeout or the grace
    /// period that came as it finished). Otherwise a stop reason decides: the child died of the
    /// kill, and its exit says nothing of its own.
    mutating func exited(_ id: String, _ outcome: ChildOutcome, now: Double) -> Verdict? {
        guard var job = jobs[id] else { return nil }
        job.pid = 0
        let verdict: Verdict?
        switch (outcome, job.stop) {
        case (.succeeded(let result), _): verdict = .succeeded(result)
        case (_, .cancelled?): verdict = .cancelled
        case (_, .timedOut?): verdict = .timedOut(limit: job.timeout)
        case (_, .shutdown?): verdict = .released
        case (_, .leaseLost?): verdict = nil
        case (.failed(let kind, let message, let retryable), nil): verdict = .failed(kind: kind, message: message, retryable: retryable)
        case (.crashed(let message), nil): verdict = .crashed(message)
        }
        if let verdict {
            job.verdict = verdict
            jobs[id] = job
        } else {
            jobs[id] = nil
        }
        return verdict
    }

    /// Jobs that ended at once, without a child: inline jobs, a payload that cannot run.
    mutating func finished(_ id: String, _ verdict: Verdict) {
        jobs[id]?.verdict = verdict
    }

    // MARK: Heartbeats

    /// Every lease this worker holds, running or waiting for its verdict to be recorded: a
    /// finished job keeps its lease until Redis takes the verdict.
    var leases: [Lease] { jobs.values.map(\.lease) }

    /// What the heartbeat means for each job.
    enum HeartbeatEffect: Equatable, Sendable {
        /// Stop the job (kill its child).
        case stop(Stop)
        /// The job ended, but its lease is gone before its verdict was recorded: the verdict is
        /// dropped (the job runs again, or ran, elsewhere).
        case dropped(id: String, Verdict)
    }

    /// The heartbeat's answers, per lease.
    /// (A renewal going through says nothing about other writes: it runs even when Redis is full.)
    mutating func renewed(_ answers: [(Lease, JobQueue.HeartbeatOutcome)], now: Double) -> [HeartbeatEffect] {
        var effects: [HeartbeatEffect] = []
        for (lease, answer) in answers {
            guard let job = jobs[lease.id], job.lease == lease else { continue }
            switch answer {
            case .ok:
                break
            case .cancel:
                if let stop = stop(lease.id, reason: .cancelled) { effects.append(.stop(stop)) }
            case .lost:
                if let verdict = job.verdict {
                    jobs[lease.id] = nil
                    effects.append(.dropped(id: lease.id, verdict))
                } else if let stop = stop(lease.id, reason: .leaseLost) {
                    effects.append(.stop(stop))
                }
            }
        }
        return effects
    }

    /// The heartbeat could not be sent or Redis refused it: nothing is renewed, nothing is
    /// learned (never read as "renewed"). Returns whether Redis began to refuse with it.
    mutating func renewFailed(_ failure: WriteFailure, now: Double) -> Bool {
        noteRefusal(now: now)
    }

    /// A cancel announced on pub/sub (the flag on the job is the truth; the heartbeat finds it too).
    mutating func cancelAnnounced(_ id: String) -> Stop? {
        stop(id, reason: .cancelled)
    }

    // MARK: Time and signals

    /// Jobs past their timeout, and, once the grace period is over, every job still running.
    mutating func tick(now: Double) -> [Stop] {
        var stops: [Stop] = []
        for (id, job) in jobs where job.verdict == nil && job.stop == nil {
            if let start = job.startedAt, job.timeout > 0, now - start > job.timeout, let s = stop(id, reason: .timedOut) { stops.append(s) }
        }
        if case .draining(let since) = phase, now - since >= configuration.grace {
            phase = .stopping(since: now)
            stops += stopAll()
        }
        return stops
    }

    enum SignalAction: Equatable, Sendable {
        /// First signal: no new claims; `running` jobs get the grace period.
        case drain(running: Int)
        /// Second signal: stop these now (and give them back).
        case stopNow([Stop])
        /// Already stopping.
        case none
    }

    mutating func signal(now: Double) -> SignalAction {
        switch phase {
        case .running:
            phase = .draining(since: now)
            return .drain(running: jobs.values.filter { $0.verdict == nil }.count)
        case .draining:
            phase = .stopping(since: now)
            return .stopNow(stopAll())
        case .stopping:
            return .none
        }
    }

    private mutating func stopAll() -> [Stop] {
        jobs.keys.sorted().compactMap { stop($0, reason: .shutdown) }
    }
}
