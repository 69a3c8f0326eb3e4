import MMPCore
import MMPQueue

/// The supervisor's decisions, as a value without I/O (postgres-nio's `ConnectionStateMachine`
/// style): the worker's threads tell it what happened (a claim, a child started or ended, a
/// heartbeat's answers, a write's outcome, a signal, the time) and do what it answers (claim,
/// pause, kill a child, write a verdict, wait, give up). Time is always passed in (monotonic
/// seconds), and its randomness (backoff jitter) comes from a seeded generator, so tests drive
/// it step by step without Redis, processes or clocks.
///
/// The supervisor keeps it in a `Mutex`; kills it asks for are sent under that lock, so a pid is
/// never signalled after the thread that runs the child has reaped it.
struct WorkerStateMachine: Sendable {
    struct Configuration: Sendable {
        /// Seconds running jobs get after the first SIGTERM.
        var grace: Double
        /// Backoff between writes Redis refused, and between claims while it refuses them.
        var backoffBase = 0.1
        var backoffCap = 5.0
        /// A verdict Redis answers with an error that retrying will not fix is tried this many
        /// times, then given up (logged with its result; the job runs again when its lease ends).
        var maxRejections = 5
        /// After the grace period, how long a verdict Redis keeps refusing is still retried
        /// before the worker gives it up and exits.
        var shutdownWriteWindow = 5.0

        init(grace: Double) { self.grace = grace }
    }

    enum Phase: Equatable, Sendable {
        /// Claiming and running.
        case running
        /// First SIGTERM at `since`: no new claims; running jobs get the grace period.
        case draining(since: Double)
        /// Grace over (or a second signal) at `since`: running jobs are stopped and given back.
        case stopping(since: Double)
    }

    struct Job: Sendable {
        let lease: Lease
        let inline: Bool
        /// Seconds; 0 means none.
        var timeout: Double
        /// When it began to run (nil while leased but not started).
        var startedAt: Double?
        /// The child's pid while it exists and is not reaped; 0 otherwise.
        var pid: Int32 = 0
        var stop: StopReason?
        /// Set when the job ended: what to record.
        var verdict: Verdict?
        /// Writes of the verdict sent so far, and how many were refused in a row.
        var writes = 0
        var refusals = 0
        var rejections = 0
        var nextWriteAt = 0.0
    }

    let configuration: Configuration
    var phase = Phase.running
    var jobs: [String: Job] = [:]
    /// Claims refused in a row (Redis unavailable), and when the next may be tried.
    var claimRefusals = 0
    var claimRetryAt = 0.0
    /// Since when Redis refuses this worker's writes (nil: it takes them).
    var refusingSince: Double?
    private var random: SeededGenerator

    init(configuration: Configuration, seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        self.configuration = configuration
        self.random = SeededGenerator(seed: seed)
    }

    /// Backoff with equal jitter: `[d/2, d]` for `d = min(cap, base * 2^attempt)`.
    mutating func backoff(_ attempt: Int) -> Double {
        let d = min(configuration.backoffCap, configuration.backoffBase * Double(1 << min(max(attempt, 0), 20)))
        return d / 2 + random.unit() * d / 2
    }

    var isRunning: Bool { phase == .running }

    /// Ids of the jobs this worker holds (for its registration).
    var jobIDs: [String] { jobs.keys.sorted() }

    // MARK: Claims

    enum ClaimDecision: Equatable, Sendable {
        case claim
        /// Redis refuses writes (or a verdict waits to be recorded): try again at `until`.
        case pause(until: Double)
        /// Shutdown: no more claims.
        case stop
    }

    /// Whether a slot with nothing to do may claim now. Not while shutting down, not while
    /// Redis refuses the worker's writes, and not while a finished job's verdict waits to be
    /// recorded: the worker takes on no work it may not be able to record.
    mutating func claimDecision(now: Double) -> ClaimDecision {
        guard phase == .running else { return .stop }
        if now < claimRetryAt { return .pause(until: claimRetryAt) }
        let waiting = jobs.values.filter { $0.verdict != nil && $0.refusals > 0 }.map(\.nextWriteAt)
        if let next = waiting.min() { return .pause(until: max(next, now + configuration.backoffBase)) }
        return .claim
    }

    /// A claim (or any write) went through: Redis takes writes again.
    mutating func writeAccepted() {
        claimRefusals = 0
        claimRetryAt = 0
        refusingSince = nil
    }

    /// Whether Redis began to refuse with this failure (for one log line, not one per retry).
    mutating func noteRefusal(now: Double) -> Bool {
        if refusingSince != nil { return false }
        refusingSince = now
        return true
    }

    struct Pause: Equatable, Sendable {
        var until: Double
        /// The first refusal after writes went through (log it once).
        var began: Bool
    }

    /// A claim failed: pause claiming with backoff.
    mutating func claimFailed(_ failure: WriteFailure, now: Double) -> Pause {
        let began = noteRefusal(now: now)
        claimRetryAt = now + backoff(claimRefusals)
        claimRefusals += 1
        return Pause(until: claimRetryAt, began: began)
    }

    /// A claim leased these jobs to the worker.
    mutating func leased(_ claimed: [ClaimedJob], now: Double) {
        writeAccepted()
        for job in claimed {
            jobs[job.lease.id] = Job(lease: job.lease, inline: job.runsInline, timeout: job.timeout)
        }
    }
}
