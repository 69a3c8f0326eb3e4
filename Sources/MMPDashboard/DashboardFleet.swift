import MMPCore
import MMPQueue
import MMPRedis
import NIOPosix
import Synchronization

/// The dashboard's way to Redis: a few blocking connections (hiredis), each used by one request
/// at a time on NIO's thread pool, never on an event loop. A connection that failed reconnects
/// on its next use (RedisConnection does), so the dashboard lives through Redis going away.
public final class DashboardFleet: Sendable {
    private let idle: Mutex<[JobQueue]>
    private let settings: QueueSettings
    private let redis: RedisSettings
    private let threads: NIOThreadPool

    public init(settings: QueueSettings, redis: RedisSettings, threads: NIOThreadPool) {
        self.settings = settings
        self.redis = redis
        self.threads = threads
        idle = Mutex([])
    }

    /// Runs `body` with a connection of its own, off the event loops.
    public func read<T: Sendable>(_ body: @escaping @Sendable (JobQueue) throws -> T) async throws -> T {
        let queue = idle.withLock { $0.popLast() } ?? JobQueue(redis: RedisConnection(settings: redis), settings: settings)
        let sendable = UncheckedBox(queue)
        let result: Result<T, any Error> = try await threads.runIfActive {
            do { return .success(try body(sendable.value)) } catch { return .failure(error) }
        }
        idle.withLock { if $0.count < 8 { $0.append(queue) } }
        return try result.get()
    }
}

/// A JobQueue handed to the thread pool: used by one thread at a time (taken from and put back
/// into the idle list under its lock).
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension MMPError {
    /// Redis could not be reached (or answered with a connection-level failure).
    var isUnreachable: Bool { kind == .connection || kind == .timeout }
}

extension RedisConnection {
    /// A pipeline whose error replies become errors (naming the command, never its arguments).
    func checkedPipeline(_ commands: [RedisCommand], _ what: String) throws -> [RedisReply] {
        let replies = try pipeline(commands)
        if let e = replies.lazy.compactMap(\.errorMessage).first { throw MMPError.redisReply(e, endpoint: settings.endpoint, what: what) }
        return replies
    }
}
