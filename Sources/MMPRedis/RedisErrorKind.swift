import MMPCore

/// What an error reply from Redis means, read from its code (the first word: `OOM`, `READONLY`,
/// `ERR` ...). Scripts' errors carry the code of the command that failed inside them.
///
/// One question decides what a caller does: `isUnavailable`. Redis refusing for now (out of
/// memory, a read-only replica, loading its data, a busy script, a cluster in flux, a master
/// without its link) will take the same command later: retry it with backoff, and never read the
/// refusal as an answer (a renewed lease, a held lock, a recorded result).
public enum RedisErrorKind: Sendable, Hashable {
    /// `OOM`: `maxmemory` reached under `noeviction`; writes that could grow memory are refused.
    case outOfMemory
    /// `READONLY`: a replica (or a demoted master after a failover).
    case readOnly
    /// `LOADING`: the server is loading its data set (a restart with an append-only file).
    case loading
    /// `BUSY`: a script or function runs past `busy-reply-threshold`.
    case busy
    /// `TRYAGAIN`: a multi-key command whose keys are being migrated between cluster nodes.
    case tryAgain
    /// `CLUSTERDOWN`: the cluster cannot serve the slot.
    case clusterDown
    /// `MASTERDOWN`: a replica that lost its master and serves no stale data.
    case masterDown
    /// `NOREPLICAS`: fewer replicas than `min-replicas-to-write`.
    case noReplicas
    /// `NOSCRIPT`: the script is not in the server's cache (sent again with its source).
    case noScript
    /// `MOVED` / `ASK`: a cluster redirect (followed by a cluster-aware client).
    case moved, ask
    /// `NOAUTH`, `WRONGPASS`: authentication needed or refused.
    case authentication
    /// `NOPERM`: the ACL user may not run the command or touch the key.
    case noPermission
    /// `WRONGTYPE` and every other code (`ERR` ...): a bug or a misuse; trying again will not help.
    case other(String)

    /// Reads the code of an error reply (`"OOM command not allowed ..."` is `.outOfMemory`).
    public init(reply message: String) {
        let code = message.prefix { $0 != " " }
        switch code {
        case "OOM": self = .outOfMemory
        case "READONLY": self = .readOnly
        case "LOADING": self = .loading
        case "BUSY": self = .busy
        case "TRYAGAIN": self = .tryAgain
        case "CLUSTERDOWN": self = .clusterDown
        case "MASTERDOWN": self = .masterDown
        case "NOREPLICAS": self = .noReplicas
        case "NOSCRIPT": self = .noScript
        case "MOVED": self = .moved
        case "ASK": self = .ask
        case "NOAUTH", "WRONGPASS": self = .authentication
        case "NOPERM": self = .noPermission
        default:
            // Older servers wrap a failed call inside a script as `ERR Error running script ...
            // -OOM command not allowed ...`: the inner code decides.
            if code == "ERR", message.contains("script"), let inner = message.firstRange(of: ": -") {
                let rest = String(message[inner.upperBound...])
                let kind = RedisErrorKind(reply: rest)
                if case .other = kind { self = .other(String(code)) } else { self = kind }
                return
            }
            self = .other(String(code))
        }
    }

    /// Redis refuses for now and will take the same command later: retry with backoff.
    public var isUnavailable: Bool {
        switch self {
        case .outOfMemory, .readOnly, .loading, .busy, .tryAgain, .clusterDown, .masterDown, .noReplicas: return true
        case .noScript, .moved, .ask, .authentication, .noPermission, .other: return false
        }
    }

    /// The code as Redis spells it, for messages.
    public var code: String {
        switch self {
        case .outOfMemory: return "OOM"
        case .readOnly: return "READONLY"
        case .loading: return "LOADING"
        case .busy: return "BUSY"
        case .tryAgain: return "TRYAGAIN"
        case .clusterDown: return "CLUSTERDOWN"
        case .masterDown: return "MASTERDOWN"
        case .noReplicas: return "NOREPLICAS"
        case .noScript: return "NOSCRIPT"
        case .moved: return "MOVED"
        case .ask: return "ASK"
        case .authentication: return "NOAUTH"
        case .noPermission: return "NOPERM"
        case .other(let code): return code
        }
    }
}

extension MMPError {
    /// An error reply as an `MMPError`: `.connection` (retryable) when Redis is unavailable for
    /// now, `.internal` otherwise. `what` names the command or script, never its arguments.
    public static func redisReply(_ message: String, endpoint: String, what: String) -> MMPError {
        let kind = RedisErrorKind(reply: message)
        return MMPError(kind.isUnavailable ? .connection : .internal, "redis \(endpoint): \(what) refused: \(message)")
    }
}
