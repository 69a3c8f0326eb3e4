#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPRedis

/// A redis-server of a test's own (append-only and noeviction, as scripts/lib/services.sh starts
/// them), under the test run's state folder, so that stopping, filling or failing it over does
/// not pull the server from under the other suites running in parallel.
public final class OwnRedis: @unchecked Sendable {
    // Used from one test at a time.
    public let port: Int
    public let directory: String
    /// Extra `redis-server` arguments (`--replicaof`, `--cluster-enabled yes`, `--requirepass` ...).
    public let arguments: [String]
    private var process: SpawnedProcess?

    public init(arguments: [String] = [], executable: String = "redis-server") throws {
        port = try freePort()
        directory = "\(try TestEnvironment.stateDirectory())/own-redis-\(port)"
        self.arguments = arguments
        mkdir(directory, 0o755)
        self.executable = executable
        try start()
    }

    private let executable: String

    public var url: String { "redis://127.0.0.1:\(port)/0" }

    public func start() throws {
        process = try SpawnedProcess(executable, [
            "--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory, "--appendonly", "yes", "--appendfsync", "everysec",
            "--maxmemory-policy", "noeviction", "--save", "",
        ] + arguments, directory: directory, log: "\(directory)/redis.log")
        let probe = RedisConnection(settings: RedisSettings(host: "127.0.0.1", port: port, connectTimeout: 0.2))
        for _ in 0..<100 {
            if (try? probe.command("PING")) != nil { return }
            Backoff.sleep(0.05)
        }
        throw MMPError(.connection, "own redis-server on \(port) did not start; see \(directory)/redis.log")
    }

    /// SIGTERM: Redis writes its append-only file and exits.
    public func stop() {
        process?.stop()
        process = nil
    }

    /// SIGKILL: no chance to write anything.
    public func kill() {
        process?.signal(SIGKILL)
        _ = process?.wait(timeout: 5)
        process = nil
    }

    /// A fresh connection to this server.
    public func connect() throws -> RedisConnection { try RedisConnection.connect(try RedisSettings(url: url)) }

    deinit { stop() }
}
