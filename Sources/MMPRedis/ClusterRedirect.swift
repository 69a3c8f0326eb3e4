/// An error reply by which a cluster node says the command belongs elsewhere or later.
public enum ClusterRedirect: Sendable, Equatable {
    /// `MOVED slot host:port`: the slot lives on another master for good; read the map again.
    case moved(slot: Int, to: RedisEndpoint)
    /// `ASK slot host:port`: the slot is being migrated and this key is already there; send this
    /// one command there, after `ASKING`.
    case ask(slot: Int, to: RedisEndpoint)
    /// `TRYAGAIN`: a multi-key command whose keys a migration has split; nothing ran.
    case tryAgain
    /// `CLUSTERDOWN`: the cluster cannot serve the slot now (a failover in progress).
    case clusterDown

    /// Reads an error reply; nil when it is no redirect. An address without a host (`:7001`) is
    /// on `askedHost`.
    public init?(error: String, askedHost: String) {
        if error.hasPrefix("TRYAGAIN") { self = .tryAgain; return }
        if error.hasPrefix("CLUSTERDOWN") { self = .clusterDown; return }
        let parts = error.split(separator: " ")
        guard parts.count >= 3, parts[0] == "MOVED" || parts[0] == "ASK", let slot = Int(parts[1]),
              let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...]) else { return nil }
        var host = String(parts[2][..<colon])
        if host.isEmpty || host == "?" { host = askedHost }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let target = RedisEndpoint(host: host, port: port)
        self = parts[0] == "MOVED" ? .moved(slot: slot, to: target) : .ask(slot: slot, to: target)
    }
}

/// One command's way through a cluster: where to send it and what to do with each reply. A value
/// with no I/O, so every redirect rule is tested without a cluster (ClusterRoutingTests).
///
/// Redirects and TRYAGAIN mean the command did not run, so sending it again is always safe;
/// an I/O error is not decided here (only the caller knows whether a command may be repeated).
public struct ClusterCommandRoute: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// The reply is the command's answer (success, or an error the caller must see).
        case deliver
        /// Send again to `to`; `asking` sends `ASKING` first; `reloadMap` reads CLUSTER SLOTS first.
        case resend(to: RedisEndpoint, asking: Bool, reloadMap: Bool)
        /// Wait, then route again by the (reloaded) map.
        case retry(after: Double, reloadMap: Bool)
    }

    /// Most redirects one command follows: more means the nodes disagree (a map in flux).
    public static let redirectLimit = 8
    /// Waits after TRYAGAIN or CLUSTERDOWN, in seconds: a slot migration moves its keys in
    /// milliseconds, a cluster failover takes seconds. After the last one the error is delivered.
    public static let retryDelays: [Double] = [0.01, 0.02, 0.05, 0.1, 0.1, 0.2, 0.2, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1]

    public private(set) var redirects = 0
    public private(set) var retries = 0

    public init() {}

    public mutating func next(after reply: RedisReply, askedHost: String) -> Action {
        guard let message = reply.errorMessage, let redirect = ClusterRedirect(error: message, askedHost: askedHost) else {
            return .deliver
        }
        switch redirect {
        case .moved(_, let target), .ask(_, let target):
            redirects += 1
            guard redirects <= ClusterCommandRoute.redirectLimit else { return .deliver }
            if case .ask = redirect { return .resend(to: target, asking: true, reloadMap: false) }
            return .resend(to: target, asking: false, reloadMap: true)
        case .tryAgain, .clusterDown:
            guard retries < ClusterCommandRoute.retryDelays.count else { return .deliver }
            let delay = ClusterCommandRoute.retryDelays[retries]
            retries += 1
            return .retry(after: delay, reloadMap: redirect == .clusterDown)
        }
    }
}

/// How many redirects of each kind a connection followed.
public struct ClusterRedirectCounts: Sendable, Equatable {
    public var moved = 0
    public var ask = 0
    /// TRYAGAIN and CLUSTERDOWN waits.
    public var retries = 0
    public init() {}
}
