#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MMPCore
import MMPQueue
import MMPRedis

/// No-op jobs through the real queue and real `mmp-worker` processes: enqueue rate, drain
/// throughput, pickup latency for a trickle, Redis round trips and commands per job, idle worker
/// memory and cold start. Benchmarks/queue/run.sh runs it beside RQ, Celery and Sidekiq on the
/// same Redis.
public struct QueueBenchmark {
    public struct Options {
        public var redisURL: String
        public var workerBinary: String
        public var mmpBinary: String
        public var jobs = 10_000
        public var trickle = 300
        public var trickleGap = 0.005
        public var workerCounts = [1, 2]
        /// Slots per worker (`mmp-worker --concurrency`).
        public var concurrency = 1
        public var logDirectory = "/tmp"
        public init(redisURL: String, workerBinary: String, mmpBinary: String) {
            self.redisURL = redisURL; self.workerBinary = workerBinary; self.mmpBinary = mmpBinary
        }
    }

    public struct Result {
        public var workers: Int
        public var concurrency: Int
        public var enqueuePerSecond: Double
        public var drainPerSecond: Double
        public var pickupP50ms: Double
        public var pickupP99ms: Double
        /// Round trips per job lifecycle counted by the clients (submit + the workers' share).
        public var roundTripsPerJob: Double
        /// total_commands_processed per job (Redis counts the commands run inside scripts too).
        public var commandsPerJob: Double
        public var idleRSSMB: Double
    }

    let options: Options
    let settings: RedisSettings
    public init(_ options: Options) throws {
        // The drain ends when the `succeeded` index holds every job, and that index keeps at most
        // index_cap ids: more jobs would never be counted as done.
        let cap = QueueSettings().indexCap
        guard options.jobs >= 1, options.jobs <= cap else {
            throw MMPError.invalidInput("--jobs must be between 1 and \(cap) (queue.index_cap, the size of the succeeded index the drain counts)")
        }
        self.options = options
        self.settings = try RedisSettings(url: options.redisURL)
    }

    func freshQueue() throws -> JobQueue {
        let redis = try RedisConnection.connect(settings)
        try redis.command("FLUSHALL")
        return JobQueue(redis: redis, settings: QueueSettings())
    }

    public func run(log: (String) -> Void) throws -> [Result] {
        var results: [Result] = []
        for w in options.workerCounts {
            // Enqueue, then drain with fresh workers.
            var q = try freshQueue()
            let probe = try RedisConnection.connect(settings)
            let commandsBefore = try commandsProcessed(probe)
            var probeCommands = 1
            let payload = JobPayload(kind: .noop)
            var t = Timestamp.monotonic()
            let tripsBefore = q.redis.roundTrips
            for _ in 0..<options.jobs { _ = try q.submit(.init(queue: "default", payload: payload)) }
            let enqueueRate = Double(options.jobs) / (Timestamp.monotonic() - t)
            let submitTrips = q.redis.roundTrips - tripsBefore
            let k = q.keys("default")
            let workers = try (0..<w).map { try startWorker(index: $0) }
            // Drain: from the first job leaving pending to the last one recorded as succeeded.
            var start = 0.0
            while true {
                probeCommands += 1
                if (try probe.command("LLEN", k.pending).int ?? 0) < options.jobs { start = Timestamp.monotonic(); break }
                usleep(100)
            }
            while true {
                probeCommands += 1
                if (try probe.command("ZCARD", k.succeeded).int ?? 0) >= options.jobs { break }
                usleep(200)
            }
            let drain = Double(options.jobs) / (Timestamp.monotonic() - start)
            let commandsAfter = try commandsProcessed(probe)
            probeCommands += 1
            var workerTrips = 0
            for p in workers { workerTrips += stop(p) }
            let commands = Double(commandsAfter - commandsBefore - probeCommands) / Double(options.jobs)
            let trips = Double(submitTrips + workerTrips) / Double(options.jobs)
            log("workers=\(w) enqueue \(Int(enqueueRate))/s drain \(Int(drain))/s round trips/job \(fmt(trips)) commands/job \(fmt(commands))")

            // Trickle: idle workers, one job every few ms.
            q = try freshQueue()
            let idle = try (0..<w).map { try startWorker(index: 10 + $0) }
            _ = try waitFor(5) { (try? q.workers().count) == w }
            usleep(500_000)
            let rss = idle.map { residentMB($0.processIdentifier) }.max() ?? 0
            var submitted: [(String, Double)] = []
            for _ in 0..<options.trickle {
                let at = Timestamp.now()
                let id = try q.submit(.init(queue: "default", payload: payload)).id
                submitted.append((id, at))
                t = Timestamp.monotonic()
                while Timestamp.monotonic() - t < options.trickleGap { usleep(200) }
            }
            _ = try waitFor(30) { (try q.counts(queues: ["default"]).first?.succeeded ?? 0) >= options.trickle }
            let starts = try q.redis.pipeline(submitted.map { RedisCommand("HGET", k.job($0.0), "started_us") })
            var latencies: [Double] = []
            for (i, reply) in starts.enumerated() {
                if let us = reply.string.flatMap(Double.init) { latencies.append((us / 1e6 - submitted[i].1) * 1000) }
            }
            for p in idle { _ = stop(p) }
            latencies.sort()
            let p50 = percentile(latencies, 0.5), p99 = percentile(latencies, 0.99)
            log("workers=\(w) pickup p50 \(fmt(p50)) ms p99 \(fmt(p99)) ms idle RSS \(fmt(rss)) MB")
            results.append(Result(workers: w, concurrency: options.concurrency, enqueuePerSecond: enqueueRate, drainPerSecond: drain, pickupP50ms: p50, pickupP99ms: p99,
                                  roundTripsPerJob: trips, commandsPerJob: commands, idleRSSMB: rss))
        }
        return results
    }

    /// Launch to first job started, with a job already waiting. `viaConfig` asks `mmp` for the
    /// queue section first (the default), else `--no-config`.
    public func coldStart(viaConfig: Bool, configDirectory: String, runs: Int = 5) throws -> (ready: Double, firstJob: Double) {
        var readies: [Double] = [], firsts: [Double] = []
        for i in 0..<runs {
            let q = try freshQueue()
            let id = try q.submit(.init(queue: "default", payload: JobPayload(kind: .noop))).id
            let logPath = "\(options.logDirectory)/cold-\(i).log"
            let launched = Timestamp.now()
            let p = try startWorker(index: 100 + i, config: viaConfig ? configDirectory : nil, logPath: logPath)
            _ = try waitFor(10) { try q.state(id) == .succeeded }
            _ = stop(p)
            if let us = try q.redis.command("HGET", q.keys("default").job(id), "started_us").string.flatMap(Double.init) {
                firsts.append((us / 1e6 - launched) * 1000)
            }
            if let ready = readyTime(logPath) { readies.append((ready - launched) * 1000) }
        }
        return (percentile(readies.sorted(), 0.5), percentile(firsts.sorted(), 0.5))
    }

    // MARK: Processes

    func startWorker(index: Int, config: String? = nil, logPath: String? = nil) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: options.workerBinary)
        var args = ["--log-format", "json", "--redis-url", options.redisURL, "--concurrency", String(options.concurrency)]
        if config == nil { args.append("--no-config") }
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["MMP_BIN"] = options.mmpBinary
        if let config { env["MMP_CONFIG_DIR"] = config; env["APP_ENV"] = "local" }
        p.environment = env
        let path = logPath ?? "\(options.logDirectory)/worker-\(index).log"
        guard FileManager.default.createFile(atPath: path, contents: nil), let log = FileHandle(forWritingAtPath: path) else {
            throw MMPError.io("cannot create the worker log \(path)")
        }
        p.standardError = log
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        workerLogs[p.processIdentifier] = path
        return p
    }

    private final class Logs: @unchecked Sendable { var paths: [Int32: String] = [:] }
    private let logs = Logs()
    private var workerLogs: [Int32: String] {
        get { logs.paths }
        nonmutating set { logs.paths = newValue }
    }

    /// SIGTERM, wait, and the round trips the worker reported.
    func stop(_ p: Process) -> Int {
        p.terminate()
        p.waitUntilExit()
        guard let path = workerLogs[p.processIdentifier], let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.contains("worker stopped") {
            if let json = try? JSON.parse(String(line)), let n = json["redis_round_trips"]?.stringValue.flatMap({ Int($0) }) { return n }
        }
        return 0
    }

    func readyTime(_ path: String) -> Double? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.contains("worker ready") {
            if let json = try? JSON.parse(String(line)), let ts = json["ts"]?.stringValue { return Timestamp.parse(ts) }
        }
        return nil
    }

    func residentMB(_ pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "") ?? 0
            return kb / 1024
        }
        return 0
    }

    func commandsProcessed(_ redis: RedisConnection) throws -> Int {
        Int(try redis.info("stats")["total_commands_processed"] ?? "0") ?? 0
    }

    func waitFor(_ seconds: Double, _ condition: () throws -> Bool) throws -> Bool {
        let end = Timestamp.monotonic() + seconds
        while Timestamp.monotonic() < end {
            if try condition() { return true }
            usleep(1000)
        }
        return false
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

func fmt(_ v: Double) -> String {
    guard v.isFinite else { return "n/a" }
    return String(format: v < 10 ? "%.2f" : "%.0f", v)
}

extension JobQueue {
    func state(_ id: String) throws -> JobState? { try record(id)?.state }
}
