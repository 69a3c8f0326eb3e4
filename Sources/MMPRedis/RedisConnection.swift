#if canImport(Glibc)
import Glibc
#endif
import CHiredis
import MMPCore

/// One blocking connection to Redis over hiredis.
///
/// Owned by one thread at a time (hiredis contexts are not thread-safe); only `interrupt()` may
/// be called from another thread, and it touches nothing but the socket, under `fdLock`.
///
/// A connection connects lazily and reconnects on the next command after an I/O error (one
/// attempt per command; `reconnect(backoff:...)` retries with backoff for callers that wait).
/// Commands are never retried behind the caller's back: only the caller knows whether a command
/// is safe to repeat. Errors name `host:port` and the command, never arguments or the password.
public final class RedisConnection: @unchecked Sendable {
    public let settings: RedisSettings
    private var context: UnsafeMutablePointer<redisContext>?
    private let fdLock = MutexLock()
    private var socket: Int32 = -1
    /// Round trips made (a pipeline counts once), for benchmarks and tests.
    public private(set) var roundTrips = 0

    public init(settings: RedisSettings) {
        self.settings = settings
    }

    /// Connects now (AUTH and SELECT included), so a bad address fails here rather than later.
    public static func connect(_ settings: RedisSettings) throws -> RedisConnection {
        let connection = RedisConnection(settings: settings)
        try connection.connect()
        return connection
    }

    deinit { close() }

    public var isConnected: Bool { context != nil }

    public func close() {
        if let context { redisFree(context) }
        context = nil
        fdLock.withLock { socket = -1 }
    }

    /// Opens the connection if it is not open.
    public func connect() throws {
        if context != nil { return }
        let tv = RedisConnection.timeval(settings.connectTimeout)
        guard let ctx = redisConnectWithTimeout(settings.host, Int32(settings.port), tv) else {
            throw MMPError(.connection, "redis \(settings.endpoint): cannot allocate a connection")
        }
        if ctx.pointee.err != 0 {
            let message = RedisConnection.errorText(ctx)
            redisFree(ctx)
            throw MMPError(message.contains("timed out") ? .timeout : .connection,
                           "redis \(settings.endpoint): cannot connect: \(message)")
        }
        redisSetTimeout(ctx, RedisConnection.timeval(settings.commandTimeout))
        redisEnableKeepAlive(ctx)
        // Job processes a worker starts must not inherit its Redis sockets (a dead worker's
        // blocked BLPOP would live on in its child).
        _ = fcntl(ctx.pointee.fd, F_SETFD, FD_CLOEXEC)
        context = ctx
        fdLock.withLock { socket = ctx.pointee.fd }
        do {
            if let password = settings.password {
                var auth = RedisCommand("AUTH")
                if let user = settings.username { auth.append(user) }
                auth.append(password)
                if case .error(let e) = try send(auth) {
                    throw MMPError(.connection, "redis \(settings.endpoint): authentication failed: \(e)")
                }
            }
            if settings.database != 0 {
                if case .error(let e) = try send(RedisCommand("SELECT", String(settings.database))) {
                    throw MMPError(.invalidConfig, "redis \(settings.endpoint): cannot select database \(settings.database): \(e)")
                }
            }
        } catch {
            close()
            throw error
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
    public func interrupt() {
        fdLock.withLock {
            if socket >= 0 { _ = shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

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
        guard let ctx = context else { throw MMPError(.connection, "redis \(settings.endpoint): not connected") }
        if blockSeconds > 0 { redisSetTimeout(ctx, RedisConnection.timeval(settings.commandTimeout + blockSeconds)) }
        defer {
            if blockSeconds > 0, let ctx = context { redisSetTimeout(ctx, RedisConnection.timeval(settings.commandTimeout)) }
        }
        roundTrips += 1
        let raw = cmd.withArgv { argc, argv, lengths in redisCommandArgv(ctx, argc, argv, lengths) }
        guard let raw else { throw ioError(cmd.name) }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return RedisConnection.convert(reply)
    }

    /// Sends every command before reading any reply: one round trip for the lot. Replies come back
    /// in order; error replies are values.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RedisReply] {
        if commands.isEmpty { return [] }
        try connect()
        guard let ctx = context else { throw MMPError(.connection, "redis \(settings.endpoint): not connected") }
        for cmd in commands {
            let status = cmd.withArgv { argc, argv, lengths in redisAppendCommandArgv(ctx, argc, argv, lengths) }
            if status != REDIS_OK { throw ioError(cmd.name) }
        }
        roundTrips += 1
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for cmd in commands {
            var raw: UnsafeMutableRawPointer?
            if redisGetReply(ctx, &raw) != REDIS_OK || raw == nil { throw ioError(cmd.name) }
            replies.append(RedisConnection.convert(raw!.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
        }
        return replies
    }

    /// Reads one more reply without sending anything: pub/sub messages after SUBSCRIBE. Waits up
    /// to the command timeout plus `blockSeconds`.
    public func receive(blockSeconds: Double = 0) throws -> RedisReply {
        guard let ctx = context else { throw MMPError(.connection, "redis \(settings.endpoint): not connected") }
        if blockSeconds > 0 { redisSetTimeout(ctx, RedisConnection.timeval(settings.commandTimeout + blockSeconds)) }
        defer {
            if blockSeconds > 0, let ctx = context { redisSetTimeout(ctx, RedisConnection.timeval(settings.commandTimeout)) }
        }
        var raw: UnsafeMutableRawPointer?
        if redisGetReply(ctx, &raw) != REDIS_OK || raw == nil { throw ioError("(pub/sub read)") }
        defer { freeReplyObject(raw) }
        return RedisConnection.convert(raw!.assumingMemoryBound(to: redisReply.self))
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
        let text = try command("INFO", section).string ?? ""
        var out: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            if let colon = line.firstIndex(of: ":") { out[String(line[..<colon])] = String(line[line.index(after: colon)...]) }
        }
        return out
    }

    // MARK: Errors

    private func ioError(_ commandName: String) -> MMPError {
        let message = context.map(RedisConnection.errorText) ?? "not connected"
        let timedOut = message.contains("timed out") || message.contains("temporarily unavailable")
        close()
        return MMPError(timedOut ? .timeout : .connection,
                        "redis \(settings.endpoint): \(commandName) failed: \(message.isEmpty ? "connection lost" : message)")
    }

    // Error kinds (OOM, READONLY ... are "unavailable, retry"): RedisErrorKind.swift.
    private func serverError(_ message: String, _ cmd: RedisCommand) -> MMPError {
        MMPError.redisReply(message, endpoint: settings.endpoint, what: cmd.name)
    }

    private func scriptError(_ message: String, _ script: RedisScript) -> MMPError {
        MMPError.redisReply(message, endpoint: settings.endpoint, what: "script \(script.name)")
    }

    static func errorText(_ ctx: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: ctx.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    static func timeval(_ seconds: Double) -> Glibc.timeval {
        let whole = Int(seconds)
        return Glibc.timeval(tv_sec: whole, tv_usec: Int((seconds - Double(whole)) * 1_000_000))
    }

    static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            guard let str = r.str else { return .bulk([]) }
            return .bulk(Array(UnsafeRawBufferPointer(start: str, count: r.len)))
        case REDIS_REPLY_STATUS:
            return .status(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: r.len), as: UTF8.self) } ?? "")
        case REDIS_REPLY_ERROR:
            return .error(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: r.len), as: UTF8.self) } ?? "")
        case REDIS_REPLY_INTEGER:
            return .integer(Int(r.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            items.reserveCapacity(r.elements)
            for i in 0..<r.elements {
                if let element = r.element[i] { items.append(convert(element)) } else { items.append(.null) }
            }
            return .array(items)
        default:
            return .null
        }
    }
}
