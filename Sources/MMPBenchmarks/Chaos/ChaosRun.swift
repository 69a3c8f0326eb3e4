#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MMPCore
import MMPQueue
import MMPRedis
import Synchronization

/// The chaos run (Benchmarks/chaos/run.sh): jobs of mixed lengths on three queues, real
/// `mmp-worker` processes, a Redis master with a replica and three sentinels, and while the jobs
/// run, faults at random (ChaosFault). Then every job must have ended succeeded, and run to its
/// end once (each leaves a mark in a file when it does).
// The controller thread and the recovery watcher share only `recoveries` (a Mutex) and lets.
public final class ChaosRun: @unchecked Sendable {
    public struct Options {
        public var sentinels: [RedisEndpoint]
        public var master: String
        public var workerBinary: String
        public var mmpBinary: String
        /// Holds base.yaml (queue settings; Redis from REDIS_SENTINELS and REDIS_SENTINEL_MASTER).
        public var configDirectory: String
        public var logDirectory: String
        /// The folder of each Redis server (scripts/lib/redis-ha.sh), to restart it.
        public var nodeDirectories: [RedisEndpoint: String]
        public var repoRoot: String
        public var keyPrefix = "chaos"
        public var queues = ["chaos-a", "chaos-b", "chaos-c"]
        public var jobs = 150
        public var workers = 3
        public var concurrency = 2
        public var seed: UInt64 = 1
        public var pause: ClosedRange<Double> = 2...5
        /// Most seconds of faults; they also stop when every job has ended.
        public var faultWindow = 600.0
        /// After the faults, how long the jobs left may take.
        public var drainTimeout = 300.0

        public init(sentinels: [RedisEndpoint], master: String, workerBinary: String, mmpBinary: String, configDirectory: String,
                    logDirectory: String, nodeDirectories: [RedisEndpoint: String], repoRoot: String) {
            self.sentinels = sentinels; self.master = master; self.workerBinary = workerBinary; self.mmpBinary = mmpBinary
            self.configDirectory = configDirectory; self.logDirectory = logDirectory; self.nodeDirectories = nodeDirectories
            self.repoRoot = repoRoot
        }
    }

    public struct Report {
        public var jobs = 0
        public var faults: [ChaosFault: Int] = [:]
        public var verdict = ChaosVerdict(jobs: [], states: [:], marks: [], stops: [])
        /// Stretches during which a write to the master was refused or failed (probed every 100 ms).
        public var outages: [Outage] = []
        /// Seconds from each kill -9 until each job the killed worker held ran again elsewhere,
        /// and whether a Redis fault (restart, failover, OOM) fell within 15 s before the kill or
        /// during the wait (Redis refusing writes holds the recovery up).
        public var recoveries: [(seconds: Double, redisFaultNearby: Bool)] = []
        public var seconds = 0.0

        /// The figures, one per line (what run.sh prints).
        public var lines: [String] {
            var out = ["jobs: \(jobs)"]
            for fault in ChaosFault.allCases { out.append("faults \(fault.rawValue): \(faults[fault] ?? 0)") }
            out.append("lost: \(verdict.lost.count)")
            out.append("run twice: \(verdict.runTwice.count)")
            let repeated = RepeatCause.allCases.compactMap { c in verdict.repeated[c].map { "\(c.rawValue): \($0)" } }
            out.append("repeated, the earlier result never recorded: \(verdict.repeated.values.reduce(0, +))"
                       + (repeated.isEmpty ? "" : " (\(repeated.joined(separator: ", ")))"))
            let longestOutage = outages.map(\.milliseconds).max().map { String(format: "%.1f s", Double($0) / 1000) } ?? "none"
            let refused = Double(outages.reduce(0) { $0 + $1.milliseconds }) / 1000
            out.append("redis refusing writes: \(String(format: "%.0f", refused)) s in all, longest \(longestOutage)")
            func longest(_ values: [Double]) -> String { values.max().map { String(format: "%.1f s", $0) } ?? "none" }
            out.append("longest recovery after a kill: \(longest(recoveries.map(\.seconds))) (\(recoveries.count) jobs recovered)")
            out.append("longest recovery after a kill, no Redis fault near: \(longest(recoveries.filter { !$0.redisFaultNearby }.map(\.seconds)))")
            out.append("duration: \(Int(seconds.rounded())) s")
            return out
        }

        public var passed: Bool { verdict.lost.isEmpty && verdict.runTwice.isEmpty }
    }

    let options: Options
    let log: @Sendable (String) -> Void
    let settings: RedisSettings
    let queueSettings: QueueSettings
    let markFile: String
    private let recoveries = Mutex<Recoveries>(Recoveries())

    struct Recoveries {
        /// Job id → (the worker killed while it ran it, when).
        var waiting: [String: (worker: String, at: Double)] = [:]
        var seconds: [(seconds: Double, killedAt: Double)] = []
        var done = false
    }
    /// Workers stopped, and when Redis faults began (the controller thread only).
    private var stops: [WorkerStop] = []
    private var redisFaults: [Double] = []

    public init(_ options: Options, log: @escaping @Sendable (String) -> Void) throws {
        self.options = options
        self.log = log
        var settings = RedisSettings(connectTimeout: 2, commandTimeout: 5)
        settings.sentinels = options.sentinels
        settings.sentinelMaster = options.master
        self.settings = settings
        queueSettings = try QueueSettings(section: ["key_prefix": .string(options.keyPrefix)])
        markFile = "\(options.logDirectory)/runs.log"
    }

    public func run() throws -> Report {
        let began = Timestamp.monotonic()
        var report = Report()
        let queue = JobQueue(redis: RedisConnection(settings: settings), settings: queueSettings)
        var environment = ProcessInfo.processInfo.environment
        environment["REDIS_SENTINELS"] = options.sentinels.map(\.description).joined(separator: ",")
        environment["REDIS_SENTINEL_MASTER"] = options.master
        environment["MMP_CONFIG_DIR"] = options.configDirectory
        environment["MMP_BIN"] = options.mmpBinary
        environment["APP_ENV"] = "local"
        let fleet = ChaosFleet(binary: options.workerBinary,
                               arguments: ["--queues", options.queues.joined(separator: ","), "--concurrency", String(options.concurrency),
                                           "--log-format", "json"],
                               environment: environment, logDirectory: options.logDirectory)
        defer { fleet.stopAll(grace: 30) }

        // Submit first (with idempotency keys, so a submit retried after a lost reply is one job).
        let jobs = ChaosJobs.make(count: options.jobs, queues: options.queues, seed: options.seed)
        var ids: [String] = []
        for job in jobs {
            let payload = JobPayload(kind: .diagnostic, options: JSONObject([
                ("action", "sleep"), ("seconds", .double(job.seconds)), ("mark", .string(markFile)),
            ]))
            let request = JobQueue.SubmitRequest(queue: job.queue, payload: payload, idempotencyKey: "chaos-\(options.seed)-\(job.index)")
            ids.append(try retrying("submit") { try queue.submit(request).id })
        }
        report.jobs = ids.count
        log("submitted \(ids.count) jobs on \(options.queues.joined(separator: ", "))")
        for _ in 0..<options.workers { try fleet.start() }

        let watcher = Thread { self.watchRecoveries() }
        watcher.start()
        defer { recoveries.withLock { $0.done = true } }
        let prober = Thread { self.probeWrites() }
        prober.start()

        var schedule = ChaosSchedule(seed: options.seed, pause: options.pause)
        let faultsEnd = Timestamp.monotonic() + options.faultWindow
        while Timestamp.monotonic() < faultsEnd, try !allEnded(queue) {
            let (wait, fault) = schedule.next()
            let until = Timestamp.monotonic() + wait
            while Timestamp.monotonic() < until {
                fleet.reap()
                Thread.sleep(forTimeInterval: 0.1)
            }
            if try allEnded(queue) { break }
            log("fault: \(fault.rawValue)")
            if [.redisRestart, .failover, .oom].contains(fault) { redisFaults.append(Timestamp.now()) }
            do {
                try inject(fault, fleet: fleet, queue: queue, schedule: &schedule)
                report.faults[fault, default: 0] += 1
            } catch {
                log("fault \(fault.rawValue) could not be injected: \(MMPError.wrap(error).message)")
            }
        }
        log("faults over; waiting for the jobs left")
        let drainEnd = Timestamp.monotonic() + options.drainTimeout
        while Timestamp.monotonic() < drainEnd, try !allEnded(queue) {
            fleet.reap()
            Thread.sleep(forTimeInterval: 0.5)
        }
        fleet.stopAll(grace: 30)
        probe.withLock { $0.done = true }
        Thread.sleep(forTimeInterval: 0.3)

        var states: [String: String] = [:]
        for id in ids { states[id] = try retrying("read job") { try queue.record(id)?.stateText } ?? "missing" }
        let marks = RunMark.parse((try? String(contentsOfFile: markFile, encoding: .utf8)) ?? "")
        report.outages = probe.withLock { $0.outages }
        report.verdict = ChaosVerdict(jobs: ids, states: states, marks: marks, stops: stops, logs: workerLogFacts(fleet.everStarted))
        let faults = redisFaults
        report.recoveries = recoveries.withLock { r in
            r.seconds.map { recovery in
                (recovery.seconds, faults.contains { $0 >= recovery.killedAt - 15 && $0 <= recovery.killedAt + recovery.seconds })
            }
        }
        report.seconds = Timestamp.monotonic() - began
        for outage in report.outages where outage.milliseconds >= 5000 {
            log("redis refused writes from \(Timestamp.iso8601(Double(outage.start) / 1000)) for \(String(format: "%.1f", Double(outage.milliseconds) / 1000)) s")
        }
        for (id, state) in report.verdict.lost.sorted(by: { $0.key < $1.key }) { log("lost: \(id) is \(state)") }
        for (id, runs) in report.verdict.runTwice.sorted(by: { $0.key < $1.key }) {
            log("run twice: \(id) ran to its end \(runs) times, not explained by a stopped worker")
        }
        return report
    }

    /// Whether every queue has nothing pending, scheduled or active.
    func allEnded(_ queue: JobQueue) throws -> Bool {
        let counts = try retrying("count") { try queue.counts(queues: self.options.queues) }
        return counts.allSatisfy { $0.pending + $0.scheduled + $0.active == 0 }
            && counts.reduce(0) { $0 + $1.succeeded + $1.failed + $1.dead + $1.cancelled } >= options.jobs
    }

    /// What the workers logged about results they could not record: given up at shutdown
    /// ("giving it up"), or dropped because the lease was lost first ("lease lost before").
    func workerLogFacts(_ workers: [ChaosFleet.Worker]) -> WorkerLogFacts {
        var facts = WorkerLogFacts()
        for worker in workers {
            let text = (try? String(contentsOfFile: "\(options.logDirectory)/\(worker.id).log", encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.contains("giving it up") || line.contains("\"msg\":\"lease lost") {
                guard let json = try? JSON.parse(String(line)), let job = json["job"]?.stringValue else { continue }
                let key = WorkerLogFacts.Key(job: job, worker: worker.pid)
                if line.contains("giving it up") { facts.givenUp.insert(key) }
                if line.contains("\"msg\":\"lease lost"), let at = json["ts"]?.stringValue.flatMap(Timestamp.parse) {
                    facts.leaseLost[key, default: []].append(Int(at * 1000))
                }
            }
        }
        return facts
    }

    // MARK: Write availability

    struct Probe {
        var outages: [Outage] = []
        var refusedSince: Int?
        var done = false
    }
    private let probe = Mutex<Probe>(Probe())

    /// Every 100 ms, one write to the master (through the sentinels, as the workers reach it):
    /// the stretches it was refused or failed are the outages a lease has to outlast.
    func probeWrites() {
        let redis = RedisConnection(settings: settings)
        while !probe.withLock({ $0.done }) {
            let now = Int(Timestamp.now() * 1000)
            let ok: Bool
            do { ok = try redis.send(RedisCommand("SET", "\(options.keyPrefix)-probe", String(now), "PX", "60000")).errorMessage == nil } catch {
                ok = false
            }
            probe.withLock { p in
                if ok, let since = p.refusedSince {
                    p.outages.append(Outage(start: since, end: now))
                    p.refusedSince = nil
                } else if !ok, p.refusedSince == nil {
                    p.refusedSince = now
                }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        probe.withLock { p in
            if let since = p.refusedSince { p.outages.append(Outage(start: since, end: Int(Timestamp.now() * 1000))) }
        }
    }

    // MARK: Faults

    func inject(_ fault: ChaosFault, fleet: ChaosFleet, queue: JobQueue, schedule: inout ChaosSchedule) throws {
        switch fault {
        case .kill:
            guard !fleet.live.isEmpty else { throw MMPError.invalidInput("no worker to kill") }
            let index = schedule.pick(fleet.live.count)
            let held = try retrying("read active jobs") {
                try queue.list(state: .active, queues: self.options.queues, limit: 1000).filter { $0.worker == fleet.live[index].id }.map(\.id)
            }
            let worker = fleet.signal(index, SIGKILL)
            let at = Timestamp.now()
            stops.append(WorkerStop(pid: worker.pid, signal: .kill, at: Int(at * 1000)))
            recoveries.withLock { r in for id in held { r.waiting[id] = (worker.id, at) } }
            log("killed \(worker.id) (pid \(worker.pid)) holding \(held.count) jobs")
            try fleet.start()
        case .sigterm:
            guard !fleet.live.isEmpty else { throw MMPError.invalidInput("no worker to stop") }
            let worker = fleet.signal(schedule.pick(fleet.live.count), SIGTERM)
            stops.append(WorkerStop(pid: worker.pid, signal: .sigterm, at: Int(Timestamp.now() * 1000)))
            log("sent SIGTERM to \(worker.id)")
            try fleet.start()
        case .redisRestart:
            let master = try currentMaster()
            guard let directory = options.nodeDirectories[master] else { throw MMPError.invalidInput("no folder known for \(master)") }
            try runShell("mmp_redis_restart \"$1\"", directory)
            log("restarted the master \(master)")
        case .failover:
            let before = try currentMaster()
            let sentinel = try RedisConnection.connect(RedisSettings(host: options.sentinels[0].host, port: options.sentinels[0].port,
                                                                     connectTimeout: 2, commandTimeout: 5), routing: .direct)
            var refusal = ""
            let asked = poll(60, interval: 0.5) {
                let reply = try sentinel.send(RedisCommand("SENTINEL", "FAILOVER", self.options.master))
                refusal = reply.errorMessage ?? ""
                return reply.errorMessage == nil
            }
            guard asked else { throw MMPError(.timeout, "SENTINEL FAILOVER refused for 60 s: \(refusal)") }
            guard poll(60, interval: 0.2, { try self.currentMaster() != before }) else {
                throw MMPError(.timeout, "the sentinels still name \(before) after 60 s")
            }
            log("failed over from \(before) to \(try currentMaster())")
        case .oom:
            let master = try currentMaster()
            let admin = try RedisConnection.connect(RedisSettings(host: master.host, port: master.port, connectTimeout: 2, commandTimeout: 5),
                                                    routing: .direct)
            let used = Int(try admin.info("memory")["used_memory"] ?? "") ?? 0
            guard used > 200_000 else { throw MMPError(.internal, "used_memory \(used) is too small to squeeze") }
            try admin.command("CONFIG", "SET", "maxmemory", String(used - 100_000))
            let window = 3 + Double(schedule.pick(4))
            log("OOM window on \(master) for \(Int(window)) s (maxmemory \(used - 100_000))")
            Thread.sleep(forTimeInterval: window)
            guard poll(30, interval: 0.2, { try admin.command("CONFIG", "SET", "maxmemory", "0"); return true }) else {
                throw MMPError(.connection, "could not lift maxmemory on \(master)")
            }
        }
    }

    func currentMaster() throws -> RedisEndpoint {
        for sentinel in options.sentinels {
            guard let connection = try? RedisConnection.connect(RedisSettings(host: sentinel.host, port: sentinel.port, connectTimeout: 2,
                                                                              commandTimeout: 5), routing: .direct),
                  let parts = try? connection.command("SENTINEL", "get-master-addr-by-name", options.master).array, parts.count == 2,
                  let host = parts[0].string, let port = parts[1].int else { continue }
            return RedisEndpoint(host: host, port: port)
        }
        throw MMPError(.connection, "no sentinel names the master '\(options.master)'")
    }

    /// Runs a function of scripts/lib/redis-ha.sh with `argument` as $1.
    func runShell(_ script: String, _ argument: String) throws {
        let pid = try ProcessSpawner.spawn("/bin/bash", arguments: [
            "-c", "cd \"$2\" && source scripts/lib/services.sh && source scripts/lib/redis-ha.sh && \(script)", "chaos", argument, options.repoRoot,
        ], fileActions: [.null(0), .open("\(options.logDirectory)/shell.log", flags: O_WRONLY | O_CREAT | O_APPEND, to: 1),
                         .open("\(options.logDirectory)/shell.log", flags: O_WRONLY | O_CREAT | O_APPEND, to: 2)])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        guard case .code(0) = ProcessSpawner.Exit(waitStatus: status) else {
            throw MMPError(.internal, "\(script) \(argument) failed (see \(options.logDirectory)/shell.log)")
        }
    }

    // MARK: Recovery after a kill

    /// Every 100 ms: each job a killed worker held is recovered when another worker runs it (or it
    /// has ended); the time from the kill is its recovery.
    func watchRecoveries() {
        let queue = JobQueue(redis: RedisConnection(settings: settings), settings: queueSettings)
        while true {
            let waiting = recoveries.withLock { $0.done ? nil : $0.waiting }
            guard let waiting else { return }
            for (id, kill) in waiting {
                guard let record = try? queue.record(id) else { continue }
                let runsElsewhere = record.state == .active && record.worker != kill.worker && !record.worker.isEmpty
                guard runsElsewhere || record.state?.isTerminal == true else { continue }
                var seconds = Timestamp.now() - kill.at
                if runsElsewhere, let started = record.startedAt, Double(started) / 1000 > kill.at {
                    seconds = min(seconds, Double(started) / 1000 - kill.at)
                }
                recoveries.withLock {
                    $0.waiting[id] = nil
                    $0.seconds.append((seconds, kill.at))
                }
                log("job \(id) running again \(String(format: "%.1f", seconds)) s after its worker was killed")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    // MARK: Retrying through the faults

    /// The controller rides out the faults it causes: calls are retried for up to 120 s.
    func retrying<T>(_ what: String, _ body: () throws -> T) throws -> T {
        let end = Timestamp.monotonic() + 120
        var attempt = 0
        while true {
            do { return try body() } catch {
                attempt += 1
                if Timestamp.monotonic() > end { throw error }
                Thread.sleep(forTimeInterval: min(2, 0.05 * Double(attempt)))
            }
        }
    }

    /// Calls `condition` until it returns true (errors count as false) or `timeout` passes.
    func poll(_ timeout: Double, interval: Double, _ condition: () throws -> Bool) -> Bool {
        let end = Timestamp.monotonic() + timeout
        while Timestamp.monotonic() < end {
            if (try? condition()) == true { return true }
            Thread.sleep(forTimeInterval: interval)
        }
        return false
    }
}
