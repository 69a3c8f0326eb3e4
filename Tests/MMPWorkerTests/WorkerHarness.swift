#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

/// Real `mmp-worker` processes (from $MMP_BIN_DIR) against the test Redis, each test with a key
/// prefix and config folder of its own. The workers read their queue settings the way they do in
/// production: `mmp queues settings` over a pipe, from the config folder's base.yaml.
final class Fleet: @unchecked Sendable {
    let directory: String
    let prefix: String
    let redisURL: String
    let binDir: String
    let queue: JobQueue
    private(set) var workers: [SpawnedProcess] = []

    init(redisURL: String? = nil, lease: String = "2s", heartbeat: String = "250ms", blockTimeout: String = "1s", wakeCap: Int = 64) throws {
        binDir = TestEnvironment.binDirectory
        let url = try redisURL ?? TestEnvironment.redisURL()
        self.redisURL = url
        prefix = "wtest-\(UInt64.random(in: 0...UInt64.max))"
        let base = try TestEnvironment.stateDirectory()
        directory = "\(base)/fleet-\(prefix)"
        mkdir(directory, 0o755)
        let repo = TestEnvironment.repoRoot
        let settings = """
        data_adapters:
          loader: local_files
          storage: filesystem
          feature_store: none
        adapters:
          local_files:
            base_path: \(repo)
          filesystem:
            root: \(directory)/artifacts
        queue:
          key_prefix: \(prefix)
          lease: \(lease)
          heartbeat: \(heartbeat)
          reaper_interval: 200ms
          # A key of older versions: accepted and ignored.
          claim_grace: 2s
          max_attempts: 3
          max_deliveries: 3
          backoff:
            base: 50ms
            cap: 200ms
          block_timeout: \(blockTimeout)
          wake_cap: \(wakeCap)
          redis:
            url: \(url)
        """
        try writeFile("\(directory)/base.yaml", settings)
        try writeFile("\(directory)/local.yaml", "environment:\n  name: local\n")
        var qs = try QueueSettings(section: ["key_prefix": .string(prefix), "lease": "2s", "heartbeat": "250ms", "max_deliveries": 3])
        qs.backoffBase = 0.05
        queue = JobQueue(redis: try RedisConnection.connect(try RedisSettings(url: url)), settings: qs)
    }

    deinit {
        for w in workers { w.signal(SIGKILL); _ = w.wait(timeout: 2) }
    }

    @discardableResult
    func startWorker(_ arguments: [String] = []) throws -> SpawnedProcess {
        let log = "\(directory)/worker-\(workers.count).log"
        let w = try SpawnedProcess("\(binDir)/mmp-worker", ["--log-format", "json"] + arguments,
                                  environment: ["MMP_CONFIG_DIR": directory, "MMP_BIN": "\(binDir)/mmp", "APP_ENV": "local"], log: log)
        workers.append(w)
        return w
    }

    func diagnostic(_ action: String, seconds: Double = 0, kind: String? = nil, timeout: Double? = nil, maxAttempts: Int? = nil,
                    queue name: String = "default") throws -> String {
        var options = JSONObject([("action", .string(action)), ("seconds", .double(seconds))])
        if let kind { options["kind"] = .string(kind) }
        return try queue.submit(.init(queue: name, payload: JobPayload(kind: .diagnostic, options: options), maxAttempts: maxAttempts,
                                      timeout: timeout)).id
    }

    /// Waits until `condition` holds, up to `timeout` seconds.
    func waitUntil(_ timeout: Double, _ condition: () throws -> Bool) throws -> Bool {
        try MMPTestSupport.waitUntil(timeout, condition)
    }

    func state(_ id: String) throws -> JobState? { try queue.record(id)?.state }

    /// How many times the events stream says each job succeeded (nothing may succeed twice).
    func successCounts(queue name: String = "default") throws -> [String: Int] {
        var counts: [String: Int] = [:]
        var position = "0"
        while true {
            let (events, next) = try queue.events(after: [name: position], block: 0, count: 5000)
            if events.isEmpty { break }
            for e in events where e.name == "succeeded" { counts[e.job, default: 0] += 1 }
            position = next[name]!
        }
        return counts
    }

    /// The Redis round trips a stopped worker reported on exit ("worker stopped" log line).
    func roundTrips(ofWorker index: Int) -> Int? {
        guard let text = try? readFile("\(directory)/worker-\(index).log") else { return nil }
        let marker = "\"redis_round_trips\":\""
        guard let line = text.split(separator: "\n").first(where: { $0.contains(marker) }),
              let tail = line.split(separator: Character("\""), omittingEmptySubsequences: false).drop(while: { $0 != "redis_round_trips" }).dropFirst(2).first
        else { return nil }
        return Int(tail)
    }

    func logs() -> String {
        workers.indices.map { (try? readFile("\(directory)/worker-\($0).log")) ?? "" }.joined(separator: "\n---\n")
    }
}

