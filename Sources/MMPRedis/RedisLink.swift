#if canImport(Glibc)
import Glibc
#endif
internal import CHiredis
import MMPCore
import Synchronization

/// One hiredis socket to one server (a standalone Redis, a sentinel, or one node of a cluster).
/// `RedisConnection` owns its links and decides where each command goes; a link only sends and
/// reads. Used by its connection's owner thread only; its socket is registered in `sockets` so
/// that `RedisConnection.interrupt()` can shut it down from another thread.
final class RedisLink {
    let endpoint: RedisEndpoint
    /// How errors name the server (`127.0.0.1:6379`, or with the sentinel master it serves).
    let label: String
    private let connectTimeout: Double
    private let commandTimeout: Double
    private let sockets: SocketRegistry
    private var context: UnsafeMutablePointer<redisContext>?

    init(endpoint: RedisEndpoint, label: String? = nil, connectTimeout: Double, commandTimeout: Double, sockets: SocketRegistry) {
        self.endpoint = endpoint
        self.label = label ?? endpoint.description
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.sockets = sockets
    }

    deinit { close() }

    var isOpen: Bool { context != nil }

    /// Opens the TCP connection (no AUTH: the connection's handshake does that).
    func open() throws {
        if context != nil { return }
        let tv = RedisLink.timeval(connectTimeout)
        guard let ctx = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), tv) else {
            throw MMPError(.connection, "redis \(label): cannot allocate a connection")
        }
        if ctx.pointee.err != 0 {
            let message = RedisLink.errorText(ctx)
            redisFree(ctx)
            throw MMPError(message.contains("timed out") ? .timeout : .connection, "redis \(label): cannot connect: \(message)")
        }
        redisSetTimeout(ctx, RedisLink.timeval(commandTimeout))
        redisEnableKeepAlive(ctx)
        // Job processes a worker starts must not inherit its Redis sockets (a dead worker's
        // blocked BLPOP would live on in its child).
        _ = fcntl(ctx.pointee.fd, F_SETFD, FD_CLOEXEC)
        context = ctx
        sockets.register(ObjectIdentifier(self), ctx.pointee.fd)
    }

    func close() {
        guard let ctx = context else { return }
        // Unregistered before the descriptor is closed: interrupt() must never shut down a
        // number the system has already given to another file.
        sockets.unregister(ObjectIdentifier(self))
        context = nil
        redisFree(ctx)
    }

    /// Sends one command and reads its reply; an error reply is a value. `blockSeconds` extends
    /// the read timeout for commands that block on the server.
    func send(_ cmd: RedisCommand, blockSeconds: Double = 0) throws -> RedisReply {
        let guardPipe = SigpipeGuard()
        defer { guardPipe.end() }
        try open()
        guard let ctx = context else { throw MMPError(.connection, "redis \(label): not connected") }
        if blockSeconds > 0 { redisSetTimeout(ctx, RedisLink.timeval(commandTimeout + blockSeconds)) }
        defer {
            if blockSeconds > 0, let ctx = context { redisSetTimeout(ctx, RedisLink.timeval(commandTimeout)) }
        }
        let raw = cmd.withArgv { argc, argv, lengths in redisCommandArgv(ctx, argc, argv, lengths) }
        guard let raw else { throw ioError(cmd.name) }
        defer { freeReplyObject(raw) }
        return RedisLink.convert(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Sends every command before reading any reply (one round trip); replies in order.
    func pipeline(_ commands: [RedisCommand]) throws -> [RedisReply] {
        if commands.isEmpty { return [] }
        let guardPipe = SigpipeGuard()
        defer { guardPipe.end() }
        try open()
        guard let ctx = context else { throw MMPError(.connection, "redis \(label): not connected") }
        for cmd in commands {
            let status = cmd.withArgv { argc, argv, lengths in redisAppendCommandArgv(ctx, argc, argv, lengths) }
            if status != REDIS_OK { throw ioError(cmd.name) }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for cmd in commands {
            var raw: UnsafeMutableRawPointer?
            if redisGetReply(ctx, &raw) != REDIS_OK || raw == nil { throw ioError(cmd.name) }
            replies.append(RedisLink.convert(raw!.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
        }
        return replies
    }

    /// Reads one more reply without sending anything (pub/sub messages).
    func receive(blockSeconds: Double = 0) throws -> RedisReply {
        guard let ctx = context else { throw MMPError(.connection, "redis \(label): not connected") }
        if blockSeconds > 0 { redisSetTimeout(ctx, RedisLink.timeval(commandTimeout + blockSeconds)) }
        defer {
            if blockSeconds > 0, let ctx = context { redisSetTimeout(ctx, RedisLink.timeval(commandTimeout)) }
        }
        var raw: UnsafeMutableRawPointer?
        if redisGetReply(ctx, &raw) != REDIS_OK || raw == nil { throw ioError("(pub/sub read)") }
        defer { freeReplyObject(raw) }
        return RedisLink.convert(raw!.assumingMemoryBound(to: redisReply.self))
    }

    /// The link is closed after any I/O error: the stream may hold half a reply.
    private func ioError(_ commandName: String) -> MMPError {
        let message = context.map(RedisLink.errorText) ?? "not connected"
        let timedOut = message.contains("timed out") || message.contains("temporarily unavailable")
        close()
        return MMPError(timedOut ? .timeout : .connection,
                        "redis \(label): \(commandName) failed: \(message.isEmpty ? "connection lost" : message)")
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

/// Keeps a write to a socket the server has closed from killing the process with SIGPIPE
/// (hiredis writes with write(2), which raises it): the signal is blocked on this thread for the
/// call and a SIGPIPE it raised is taken back, as libpq does. A process that ignores SIGPIPE
/// (mmp-worker does, from the start) pays nothing.
struct SigpipeGuard {
    private var previous = sigset_t()
    private var active = false
    private var wasPending = false

    init() {
        var current = sigaction()
        sigaction(SIGPIPE, nil, &current)
        // SIG_IGN is the handler value 1.
        if unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == 1 { return }
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, &previous)
        var pending = sigset_t()
        sigpending(&pending)
        wasPending = sigismember(&pending, SIGPIPE) == 1
        active = true
    }

    func end() {
        guard active else { return }
        if !wasPending {
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGPIPE) == 1 {
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, SIGPIPE)
                var zero = timespec(tv_sec: 0, tv_nsec: 0)
                _ = sigtimedwait(&set, nil, &zero)
            }
        }
        var restore = previous
        pthread_sigmask(SIG_SETMASK, &restore, nil)
    }
}

/// The open sockets of one connection's links, so that another thread can shut them down
/// (`interrupt()`), and a count of interrupts, so that a wait made of several calls (a
/// cross-slot BLPOP on a cluster) stops between them too.
final class SocketRegistry: Sendable {
    private struct State {
        var sockets: [ObjectIdentifier: Int32] = [:]
        var interrupts = 0
    }
    private let state = Mutex(State())

    func register(_ link: ObjectIdentifier, _ fd: Int32) { state.withLock { $0.sockets[link] = fd } }
    func unregister(_ link: ObjectIdentifier) { _ = state.withLock { $0.sockets.removeValue(forKey: link) } }

    var interrupts: Int { state.withLock { $0.interrupts } }

    func interruptAll() {
        state.withLock {
            $0.interrupts += 1
            for fd in $0.sockets.values { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }
}
