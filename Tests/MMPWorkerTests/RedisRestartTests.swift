#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPQueue
import MMPRedis
import Testing

/// A redis-server of this test's own (append-only, as scripts/lib/services.sh starts them), so
/// that stopping it does not pull the server from under the other suites running in parallel.
final class OwnRedis: @unchecked Sendable {
    let port: Int
    let directory: String
    private var process: WorkerProcess?

    init() throws {
        port = try OwnRedis.freePort()
        directory = "\(ProcessEnvironment.current()["MMP_TEST_STATE_DIR"] ?? "/tmp")/own-redis-\(port)"
        mkdir(directory, 0o755)
        try start()
    }

    var url: String { "redis://127.0.0.1:\(port)/0" }

    func start() throws {
        process = try WorkerProcess(executable: "/usr/bin/redis-server", arguments: [
            "--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory, "--appendonly", "yes", "--appendfsync", "everysec",
            "--maxmemory-policy", "noeviction", "--save", "",
        ], log: "\(directory)/redis.log", environment: [:])
        let probe = RedisConnection(settings: RedisSettings(host: "127.0.0.1", port: port, connectTimeout: 0.2))
        for _ in 0..<100 {
            if (try? probe.command("PING")) != nil { return }
            Backoff.sleep(0.05)
        }
        throw MMPError(.connection, "own redis-server on \(port) did not start; see \(directory)/redis.log")
    }

    /// SIGTERM: Redis writes its append-only file and exits.
    func stop() {
        process?.kill(SIGTERM)
        if process?.wait(timeout: 10) == nil {
            process?.kill(SIGKILL)
            _ = process?.wait(timeout: 5)
        }
        process = nil
    }

    deinit { stop() }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw MMPError.io("cannot find a free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

@Suite(.serialized) struct RedisRestartTests {
    @Test func fleetSurvivesARedisRestartAndEveryJobFinishesOnce() throws {
        let redis = try OwnRedis()
        let fleet = try Fleet(redisURL: redis.url)
        var ids: [String] = []
        for _ in 0..<40 { ids.append(try fleet.diagnostic("sleep", seconds: 0.3)) }
        let a = try fleet.startWorker(["--concurrency", "2"])
        let b = try fleet.startWorker(["--concurrency", "2"])
        #expect(try fleet.waitUntil(20) { (try fleet.queue.counts(queues: ["default"]).first?.succeeded ?? 0) >= 4 })
        redis.stop()
        let probe = RedisConnection(settings: RedisSettings(host: "127.0.0.1", port: redis.port, connectTimeout: 0.2))
        #expect((try? probe.command("PING")) == nil, "redis still answers after SIGTERM")
        Backoff.sleep(1.0)
        try redis.start()
        // Every job finishes (the harness's own connection reconnects on its next command).
        let done = try fleet.waitUntil(60) {
            (try? fleet.queue.counts(queues: ["default"]).first?.succeeded) == 40
        }
        #expect(done, "not all jobs succeeded; logs:\n\(fleet.logs().suffix(3000))")
        let counts = try fleet.successCounts()
        #expect(Set(counts.keys) == Set(ids))
        #expect(counts.values.allSatisfy { $0 == 1 })
        let logs = fleet.logs()
        #expect(logs.contains("redis connection restored") || logs.contains("connection to redis restored"), "\(logs.split(separator: "\n").filter { $0.contains("redis") }.joined(separator: "\n"))")
        // Both workers lived through it.
        #expect(a.wait(timeout: 0) == nil && b.wait(timeout: 0) == nil)
    }
}
