/// Where a job is (design §3.1). `queued` covers the pending list and the brief hand-over to a
/// worker; `active` means a worker holds a lease on it; `waiting`, a parent parked until its
/// children end (no lease, no worker).
public enum JobState: String, Sendable, CaseIterable {
    case queued, scheduled, active, succeeded, failed, dead, cancelled
    case waiting

    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .dead, .cancelled: return true
        default: return false
        }
    }
}
