import MMPCore
import MMPQueue

/// Follows the events stream (`mmp jobs watch`, `mmp submit --wait`): what each running job is
/// doing, and whether the job being waited for has ended.
public struct JobWatch: Sendable {
    public struct Running: Sendable, Equatable {
        public var id: String
        public var stage: String
        public var progress: Double
    }

    /// Only this job's events count, when set.
    public let only: String?
    public private(set) var running: [String: Running] = [:]
    /// The final state of `only`, once it has one.
    public private(set) var finalState: String?

    public init(only: String?) { self.only = only }

    /// Applies an event; returns whether it concerns what is watched.
    public mutating func apply(_ e: QueueEvent) -> Bool {
        if let only, e.job != only { return false }
        switch e.name {
        case "started":
            running[e.job] = Running(id: e.job, stage: "", progress: 0)
        case "stage", "stage_done", "progress":
            var r = running[e.job] ?? Running(id: e.job, stage: "", progress: 0)
            if let s = e.stage { r.stage = s }
            if let p = e.progress { r.progress = p }
            running[e.job] = r
        default:
            if e.state != "active" { running[e.job] = nil }
        }
        if let only, e.job == only, let state = JobState(rawValue: e.state), state.isTerminal { finalState = state.rawValue }
        return true
    }

    /// Adopts a record read directly (the job may have ended before watching began).
    public mutating func adopt(_ record: JobRecord) {
        if let state = record.state, state.isTerminal, record.id == only { finalState = state.rawValue }
        if record.state == .active { running[record.id] = Running(id: record.id, stage: record.stage, progress: record.progress) }
    }

    /// One progress bar per running job.
    public var bars: [String] {
        running.values.sorted { $0.id < $1.id }.map { "\($0.id)  \(JobViews.bar($0.progress))  \($0.stage)" }
    }
}
