import MMPCore
import MMPQueue

/// Why the supervisor stopped a job before it ended by itself.
enum StopReason: Equatable, Sendable {
    /// Its cancel was requested (heartbeat flag or pub/sub).
    case cancelled
    /// It ran past its timeout.
    case timedOut
    /// The heartbeat found the lease no longer ours (expired and reassigned): nothing to record.
    case leaseLost
    /// Shutdown past the grace period: give the job back.
    case shutdown
}

/// How a job process ended, as the slot read it from its output and exit status.
enum ChildOutcome: Equatable, Sendable {
    case succeeded(JSON)
    case failed(kind: String, message: String, retryable: Bool)
    /// Exited without a verdict (a signal, a crash, exit 0 without a result).
    case crashed(String)
}

/// What the worker records for a job: the verdict the queue gets.
enum Verdict: Equatable, Sendable {
    case succeeded(JSON)
    case failed(kind: String, message: String, retryable: Bool)
    case crashed(String)
    /// The payload cannot be run: dead at once.
    case malformed(String)
    case cancelled
    case timedOut(limit: Double)
    /// Shutdown: given back to pending (the `release` script).
    case released
}

/// What the queue did with a verdict.
enum RecordedOutcome: Equatable, Sendable {
    case succeeded
    case retryScheduled
    case failed
    case dead
    case cancelled
    /// Given back at shutdown; `counted` past `max_releases`.
    case requeued(counted: Bool)
    /// An earlier send of this same write was recorded (its reply was lost).
    case alreadyRecorded
    /// The lease is no longer ours: the verdict was refused and is dropped (the job runs, or
    /// ran, elsewhere).
    case stale
}

/// Why a write to Redis did not happen.
enum WriteFailure: Error, Equatable, Sendable {
    /// Redis unreachable, or refusing for now (OOM, READONLY, LOADING, BUSY, TRYAGAIN,
    /// CLUSTERDOWN, MASTERDOWN): the same write will succeed later.
    case unavailable(String)
    /// An answer trying again will not change (a bug, a misconfigured ACL).
    case rejected(String)

    init(_ error: any Error) {
        let e = MMPError.wrap(error)
        self = e.isRetryable ? .unavailable(e.message) : .rejected(e.message)
    }

    var message: String {
        switch self {
        case .unavailable(let m), .rejected(let m): return m
        }
    }
}
