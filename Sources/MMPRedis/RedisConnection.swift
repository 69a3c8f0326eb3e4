#if canImport(Glibc)
import Glibc
#endif
import MMPCore

/// One blocking connection to Redis over hiredis: to a standalone server, to the master that
/// sentinels name (`REDIS_SENTINELS`), or to a Redis Cluster (found out at connect, whatever node
/// the URL names), behind one interface, so the queue and the worker never know which.
///
/// Owned by one thread at a time (hiredis contexts are not thread-safe); only `interrupt()` may
/// be called from another thread, and it touches nothing but the sockets.
///
/// A connection connects lazily and reconnects on the next command after an I/O error (one
/// attempt per command; `reconnect(backoff:...)` retries with backoff for callers that wait).
/// Commands are never retried behind the caller's back after an I/O error: only the caller knows
/// whether a command is safe to repeat. What is retried is what Redis says did not run: a
/// cluster's MOVED, ASK and TRYAGAIN (RedisConnection+Cluster.swift). With sentinels, a reply
/// that says this server is no longer the master (READONLY...) closes the connection, so the
/// next command asks the sentinels again (RedisConnection+Sentinel.swift). Errors name
/// `host:port` and the command, never arguments or the password.
public final class RedisConnection: @unchecked Sendable {
    public let settings: RedisSettings
    /// Round trips made (a pipeline counts once per server it goes to), for benchmarks and tests.
    public internal(set) var roundTrips = 0

    /// Cluster redirects followed, for tests and benchmarks.
    public internal(set) var redirectsFollowed = ClusterRedirectCounts()

    let sockets = SocketRegistry()
    /// The server (standalone or the sentinels' master); on a cluster, the node used last, which
    /// serves commands without keys (pub/sub, INFO, WAIT after a write).
    var primary: RedisLink?
    /// Cluster mode: the slot map and one link per node used.
    var cluster: ClusterState?

    /// How a connection finds its server.
    public enum Routing: Sendable {
        /// Sentinels when the settings name them; a cluster when the server is one.
        case automatic
        /// The server at host and port only, whatever it is: for admin tools that speak to one
        /// node of a cluster (CLUSTER SETSLOT, MIGRATE) or one server of a sentinel set.
        case direct
    }
    public let routing: Routing

    public init(settings: RedisSettings, routing: Routing = .automatic) {
        self.settings = settings
        self.routing = routing
    }

    /// Connects now (AUTH and SELECT included), so a bad address fails here rather than later.
    public static func connect(_ settings: RedisSettings, routing: Routing = .automatic) throws -> RedisConnection {
        let connection = RedisConnection(settings: settings, routing: routing)
        try connection.connect()
        return connection
    }

    deinit { close() }

    public var isConnected: Bool {
        if let cluster { return cluster.links.values.contains { $0.isOpen } }
        return primary?.isOpen == true
    }

    /// Whether the server is a Redis Cluster (known once connected).
    public var isCluster: Bool { cluster != nil }

    /// The server this connection talks to now (on a cluster, the node it used last).
    public var currentEndpoint: RedisEndpoint? { primary?.endpoint }

    public func close() {
        primary?.close()
        primary = nil
        if let cluster { for link in cluster.links.values { link.close() } }
        cluster = nil
    }

    /// Opens the connection if it is not open: asks the sentinels for the master when there are
    /// sentinels; loads the slot map when the server says it is a cluster.
    public func connect() throws {
        if let cluster {
            if cluster.mapIsStale { try reloadClusterMap() }
            return
        }
        if primary?.isOpen == true { return }
        close()
        if settings.usesSentinels, routing == .automatic {
            primary = try openSentinelMaster()
            return
        }
        let link = try openLink(settings.server)
        do {
            if routing == .automatic, try link.isClusterNode() {
                guard settings.database == 0 else {
                    throw MMPError(.invalidConfig, "redis \(link.label) is a Redis Cluster, which has only database 0; drop the /\(settings.database) from REDIS_URL (or queue.redis.database)")
                }
                cluster = try ClusterState(seed: link, settings: settings)
                primary = link
                return
            }
            try select(on: link)
        } catch {
            link.close()
            throw error
        }
        primary = link
    }

    /// A new link to `endpoint`, open and authenticated.
    func openLink(_ endpoint: RedisEndpoint, label: String? = nil) throws -> RedisLink {
        let link = RedisLink(endpoint: endpoint, label: label, connectTimeout: settings.connectTimeout,
                             commandTimeout: settings.commandTimeout, sockets: sockets)
        try link.open()
        do {
            if let password = settings.password {
                var auth = RedisCommand("AUTH")
                if let user = settings.username { auth.append(user) }
                auth.append(password)
                if case .error(let e) = try link.send(auth) {
                    throw MMPError(.connection, "redis \(link.label): authentication failed: \(e)")
                }
            }
        } catch {
            link.close()
            throw error
        }
        return link
    }

    func select(on link: RedisLink) throws {
        guard settings.database != 0 else { return }
        if case .error(let e) = try link.send(RedisCommand("SELECT", String(settings.database))) {
            throw MMPError(.invalidConfig, "redis \(link.label): cannot select database \(settings.database): \(e)")
        }
    }

    /// Tries to connect until it works or `shouldStop` says to give up, sleeping with backoff and
    /// jitter between attempts. Returns whether it is connected.
    public func reconnect(backoff: Backoff, shouldStop: () -> Bool, onFailure: (MMPError, Int, Double) -> Void = { _, _, _ in }) -> Bool {
        var attempt = 0
        while !shouldStop() {
            do {
                close()
                try connect()
                return true
            } catch {
                let delay = backoff.delay(attempt: attempt)
                onFailure(MMPError.wrap(error), attempt, delay)
                attempt += 1
                // Sleep in small steps so a stop request is seen quickly.
                let until = Timestamp.monotonic() + delay
                while !shouldStop(), Timestamp.monotonic() < until { Backoff.sleep(min(0.05, until - Timestamp.monotonic())) }
            }
        }
        return false
    }

    /// Breaks a blocking call running on the owner thread (BLPOP, XREAD BLOCK): the call
    /// fails with a connection error and the connection reconnects on next use. Safe from any thread.
    public func interrupt() { sockets.interruptAll() }

    // MARK: Commands

    /// Sends one command and returns its reply; an error reply is thrown as an MMPError.
    @discardableResult
    public func command(_ arguments: String...) throws -> RedisReply { try command(arguments) }

    @discardableResult
    public func command(_ arguments: [String]) throws -> RedisReply {
        let cmd = RedisCommand(arguments)
        let reply = try send(cmd)
        if case .error(let e) = reply { throw serverError(e, cmd) }
        return reply
    }

    /// Sends one command and returns its reply as is (an error reply is a value, not thrown).
    /// `blockSeconds` extends the reply timeout for commands that block on the server.
    public func send(_ cmd: RedisCommand, blockSeconds: Double = 0) throws -> RedisReply {
        try connect()
        if cluster != nil { return try clusterSend(cmd, blockSeconds: blockSeconds) }
        guard let link = primary else { throw MMPError(.connection, "redis \(settings.endpoint): not connected") }
        roundTrips += 1
        let reply = try link.send(cmd, blockSeconds: blockSeconds)
        noteMasterChange(reply)
        return reply
    }

    /// Sends every command before reading any reply: one round trip for the lot (on a cluster,
    /// one per node the commands go to). Replies come back in order; error replies are values.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RedisReply] {
        if commands.isEmpty { return [] }
        try connect()
        if cluster != nil { return try clusterPipeline(commands) }
        guard let link = primary else { throw MMPError(.connection, "redis \(settings.endpoint): not connected") }
        roundTrips += 1
        let replies = try link.pipeline(commands)
        for reply in replies { noteMasterChange(reply) }
        return replies
    }

    /// Reads one more reply without sending anything: pub/sub messages after SUBSCRIBE (on the
    /// server the SUBSCRIBE went to). Waits up to the command timeout plus `blockSeconds`.
    public func receive(blockSeconds: Double = 0) throws -> RedisReply {
        guard let link = primary, link.isOpen else { throw MMPError(.connection, "redis \(settings.endpoint): not connected") }
        do {
            return try link.receive(blockSeconds: blockSeconds)
        } catch {
            linkFailed(link)
            throw error
        }
    }

    // MARK: Scripts

    /// Runs a script by SHA; on NOSCRIPT (first use, a flushed cache or a restarted server) sends
    /// its source with EVAL, which also caches it. Error replies are thrown.
    @discardableResult
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) throws -> RedisReply {
        let reply = try send(RedisConnection.evalCommand(script, keys: keys, arguments: arguments, bySHA: true))
        if case .error(let e) = reply {
            guard e.hasPrefix("NOSCRIPT") else { throw scriptError(e, script) }
            let again = try send(RedisConnection.evalCommand(script, keys: keys, arguments: arguments, bySHA: false))
            if case .error(let e2) = again { throw scriptError(e2, script) }
            return again
        }
        return reply
    }

    /// Runs several script calls in one round trip. Calls refused with NOSCRIPT did nothing, so
    /// they are sent again with their source (one more round trip, only after a cache loss).
    /// Error replies stay values, so one failed call does not hide the others' results.
    public func evaluatePipelined(_ calls: [(script: RedisScript, keys: [String], arguments: [String])]) throws -> [RedisReply] {
        var replies = try pipeline(calls.map { RedisConnection.evalCommand($0.script, keys: $0.keys, arguments: $0.arguments, bySHA: true) })
        let missing = replies.indices.filter { replies[$0].errorMessage?.hasPrefix("NOSCRIPT") == true }
        if !missing.isEmpty {
            let again = try pipeline(missing.map {
                RedisConnection.evalCommand(calls[$0].script, keys: calls[$0].keys, arguments: calls[$0].arguments, bySHA: false)
            })
            for (i, index) in missing.enumerated() { replies[index] = again[i] }
        }
        return replies
    }

    public static func evalCommand(_ script: RedisScript, keys: [String], arguments: [String], bySHA: Bool) -> RedisCommand {
        var cmd = RedisCommand()
        cmd.append(bySHA ? "EVALSHA" : "EVAL")
        cmd.append(bySHA ? script.sha : script.source)
        cmd.append(String(keys.count))
        cmd.append(keys)
        cmd.append(arguments)
        return cmd
    }

    // MARK: Server facts

    /// `INFO` sections as key/value pairs (`redis_version`, `maxmemory_policy`...).
    public func info(_ section: String = "default") throws -> [String: String] {
        RedisConnection.parseInfo(try command("INFO", section).string ?? "")
    }

    static func parseInfo(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            if let colon = line.firstIndex(of: ":") { out[String(line[..<colon])] = String(line[line.index(after: colon)...]) }
        }
        return out
    }

    // MARK: Errors

    /// A link that failed (I/O): closed already; on a cluster the map may be out of date too.
    func linkFailed(_ link: RedisLink) {
        if var state = cluster {
            state.links[link.endpoint] = nil
            state.mapIsStale = true
            cluster = state
        }
    }

    // Error kinds (OOM, READONLY ... are "unavailable, retry"): RedisErrorKind.swift.
    private func serverError(_ message: String, _ cmd: RedisCommand) -> MMPError {
        MMPError.redisReply(message, endpoint: primary?.label ?? settings.endpoint, what: cmd.name)
    }

    private func scriptError(_ message: String, _ script: RedisScript) -> MMPError {
        MMPError.redisReply(message, endpoint: primary?.label ?? settings.endpoint, what: "script \(script.name)")
    }
}
