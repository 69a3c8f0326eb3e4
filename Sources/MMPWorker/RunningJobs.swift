#if canImport(Glibc)
import Glibc
#endif
import MMPQueue
import MMPRedis

/// Why the supervisor stopped a job before it ended by itself. The slot that runs the job reads
/// it after the child exits to decide what to write.
enum StopReason: Equatable {
    case cancelled
    case timedOut
    /// The heartbeat found the lease no longer ours (expired and reassigned): drop the result.
    case leaseLost
    /// Shutdown past the grace period: give the job back without spending an attempt.
    case shutdown
}

/// The jobs this worker runs now, shared by its slots (which add and remove them) and the
/// maintenance thread (which renews leases, enforces timeouts, stops cancelled jobs).
final class RunningJobs: @unchecked Sendable {
    struct Entry {
        var lease: Lease
        var startedAt: Double
        var timeout: Double
        /// 0 while no child runs (no-op jobs, or between spawn and wait).
        var pid: pid_t = 0
        var stopReason: StopReason?
    }

    private let lock = MutexLock()
    private var entries: [String: Entry] = [:]

    func add(_ lease: Lease, timeout: Double) {
        lock.withLock { entries[lease.id] = Entry(lease: lease, startedAt: monotonic(), timeout: timeout) }
    }

    func setChild(_ id: String, pid: pid_t) {
        lock.withLock {
            entries[id]?.pid = pid
            // Stopped before the child existed (cancelled during spawn): stop it now.
            if entries[id]?.stopReason != nil { kill(pid, SIGKILL) }
        }
    }

    /// The child has exited: no more signals to its pid (it is about to be reaped).
    func childExited(_ id: String) { lock.withLock { entries[id]?.pid = 0 } }

    func remove(_ id: String) -> Entry? { lock.withLock { entries.removeValue(forKey: id) } }

    var leases: [Lease] { lock.withLock { entries.values.map(\.lease) } }
    var ids: [String] { lock.withLock { entries.keys.sorted() } }
    var count: Int { lock.withLock { entries.count } }

    /// Stops a job: records why (the first reason wins) and kills its child.
    @discardableResult
    func stop(_ id: String, reason: StopReason) -> Bool {
        lock.withLock {
            guard var e = entries[id], e.stopReason == nil else { return false }
            e.stopReason = reason
            entries[id] = e
            if e.pid > 0 { kill(e.pid, SIGKILL) }
            return true
        }
    }

    func stopReason(_ id: String) -> StopReason? { lock.withLock { entries[id]?.stopReason } }

    /// Jobs past their timeout.
    func overdue(now: Double) -> [String] {
        lock.withLock { entries.values.filter { $0.timeout > 0 && now - $0.startedAt > $0.timeout && $0.stopReason == nil }.map(\.lease.id) }
    }
}
