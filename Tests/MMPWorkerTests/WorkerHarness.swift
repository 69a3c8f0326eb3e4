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

    /// Where diagnostic jobs leave one line per run (`mark_dir`): runs are counted by this side
    /// effect, not by events.
    let marks: String

    /// - Parameters:
    ///   - prefix: the key prefix (default: one of the test's own; "mmp" for the shipped manifests).
    ///   - defaults: leave every queue timing at its default (lease 30s, heartbeat 10s, reaper 2s,
    ///     liveness 3s, block 5s); otherwise the short test timings below.
    init(redisURL: String? = nil, prefix: String? = nil, defaults: Bool = false, lease: String = "2s", heartbeat: String = "250ms",
         blockTimeout: String = "1s", wakeCap: Int = 64) throws {
        binDir = TestEnvironment.binDirectory
        let url = try redisURL ?? TestEnvironment.redisURL()
        self.redisURL = url
        self.prefix = prefix ?? "wtest-\(UInt64.random(in: 0...UInt64.max))"
        let base = try TestEnvironment.stateDirectory()
        directory = "\(base)/fleet-\(self.prefix)-\(UInt32.random(in: 0...UInt32.max))"
        mkdir(directory, 0o755)
        marks = "\(directory)/marks"
        mkdir(marks, 0o755)
        let repo = TestEnvironment.repoRoot
        let timings = defaults ? "" : """
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

        """
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
          key_prefix: \(self.prefix)
        \(timings)  redis:
            url: \(url)
        """
        try writeFile("\(directory)/base.yaml", settings)
        try writeFile("\(directory)/local.yaml", "environment:\n  name: local\n")
        var qs = defaults ? QueueSettings() : try QueueSettings(section: ["lease": "2s", "heartbeat": "250ms", "max_deliveries": 3])
        qs.keyPrefix = self.prefix
        if !defaults { qs.backoffBase = 0.05 }
        queue = JobQueue(redis: try RedisConnection.connect(try RedisSettings(url: url)), settings: qs)
    }

    /// How many times each job's process started (from the marks diagnostic jobs leave).
    func runs(_ id: String) -> Int {
        ((try? readFile("\(marks)/\(id)")) ?? "").split(separator: "\n").count
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
                    delay: Double = 0, queue name: String = "default") throws -> String {
        var options = JSONObject([("action", .string(action)), ("seconds", .double(seconds)), ("mark_dir", .string(marks))])
        if let kind { options["kind"] = .string(kind) }
        return try queue.submit(.init(queue: name, payload: JobPayload(kind: .diagnostic, options: options), delay: delay,
                                      maxAttempts: maxAttempts, timeout: timeout)).id
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

