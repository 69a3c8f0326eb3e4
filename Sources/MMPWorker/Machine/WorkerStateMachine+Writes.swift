import MMPCore
import MMPQueue

/// Recording verdicts: a finished job's verdict is kept until Redis takes it, retried with
/// backoff while Redis refuses (its lease is renewed meanwhile), dropped only when the lease is
/// gone, and given up (logged whole) only when retrying cannot help or the worker must exit.
extension WorkerStateMachine {
    /// A verdict the worker could not record and stops trying to.
    struct GivenUp: Equatable, Sendable {
        var id: String
        var verdict: Verdict
        var reason: String
    }

    enum WriteDecision: Equatable, Sendable {
        /// Send the verdicts of `ids` now (one job, or a batch of inline jobs). With `claimNext`,
        /// the write may also claim the worker's next job: only on its first send, so a write
        /// sent again after a lost reply never leases a second job.
        case write(ids: [String], claimNext: Bool)
        /// Redis refused the last send: send again at `until`.
        case wait(until: Double)
        /// Nothing left to write: recorded, or dropped because the lease is gone.
        case done
        /// Stop trying: log each verdict with its result; the jobs run again when their leases end.
        case giveUp([GivenUp])
    }

    func verdict(_ id: String) -> Verdict? { jobs[id]?.verdict }

    /// What to do about the verdicts of `ids`. `wantsNext`: the caller would like its next job
    /// claimed with the write (it asks only for its first queue).
    mutating func nextWrite(_ ids: [String], wantsNext: Bool, now: Double) -> WriteDecision {
        let live = ids.filter { jobs[$0]?.verdict != nil }
        guard !live.isEmpty else { return .done }
        let group = live.map { jobs[$0]! }
        let refused = group.contains { $0.refusals > 0 }
        var reason: String?
        if group.contains(where: { $0.rejections >= configuration.maxRejections }) {
            reason = "redis answered the write with an error \(configuration.maxRejections) times"
        } else if case .stopping(let since) = phase, refused, now - since >= configuration.shutdownWriteWindow {
            reason = "redis still refused the write when the worker had to exit"
        }
        if let reason {
            for id in live { jobs[id] = nil }
            return .giveUp(zip(live, group).map { GivenUp(id: $0, verdict: $1.verdict!, reason: reason) })
        }
        if let until = group.map(\.nextWriteAt).max(), now < until { return .wait(until: until) }
        let first = group.allSatisfy { $0.writes == 0 }
        let successes = group.allSatisfy { if case .succeeded = $0.verdict { return true } else { return false } }
        let claimNext = wantsNext && first && successes && phase == .running && refusingSince == nil
        for id in live { jobs[id]!.writes += 1 }
        return .write(ids: live, claimNext: claimNext)
    }

    enum WrittenAction: Equatable, Sendable {
        /// Recorded (or refused as stale): the jobs leave the worker.
        case done
        /// Not recorded: ask `nextWrite` again. `first`: the first refusal of these verdicts (log
        /// it once, not on every retry).
        case retry(first: Bool)
    }

    /// The outcome of a write of `ids`' verdicts.
    mutating func wrote(_ ids: [String], _ result: Result<[RecordedOutcome], WriteFailure>, now: Double) -> WrittenAction {
        switch result {
        case .success:
            writeAccepted()
            for id in ids { jobs[id] = nil }
            return .done
        case .failure(let failure):
            _ = noteRefusal(now: now)
            let first = ids.allSatisfy { (jobs[$0]?.refusals ?? 0) == 0 }
            for id in ids where jobs[id] != nil {
                jobs[id]!.refusals += 1
                if case .rejected = failure { jobs[id]!.rejections += 1 }
            }
            let attempt = ids.compactMap { jobs[$0]?.refusals }.max() ?? 1
            let delay = backoff(attempt - 1)
            for id in ids where jobs[id] != nil { jobs[id]!.nextWriteAt = now + delay }
            return .retry(first: first)
        }
    }
}
