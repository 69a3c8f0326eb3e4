#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Synchronization
import Testing

/// Real `mmp-worker` processes on the Sentinel set and the Cluster scripts/test.d starts. Each job
/// is a diagnostic sleep that appends its id to a file when it runs to its end: runs are counted
/// by that side effect, not by events.
final class HAFleet: @unchecked Sendable {
    let directory: String
    let prefix: String
    let queue: JobQueue
    let marks: String
    let environment: [String: String]
    private(set) var workers: [SpawnedProcess] = []

    /// `redisSection` is the YAML of `queue.redis` the workers read (through `mmp queues settings`).
    init(label: String, settings: RedisSettings, redisSection: String, lease: String = "30s", heartbeat: String = "2s",
         keyPrefix: String? = nil, environment: [String: String] = [:]) throws {
        prefix = keyPrefix ?? "\(label)-\(UInt32.random(in: 0...UInt32.max))"
        directory = "\(try TestEnvironment.stateDirectory())/fleet-\(label)-\(UInt32.random(in: 0...UInt32.max))"
        mkdir(directory, 0o755)
        marks = "\(directory)/runs.log"
        self.environment = environment
        try writeFile("\(directory)/base.yaml", """
        queue:
          key_prefix: \(prefix)
          lease: \(lease)
          heartbeat: \(heartbeat)
          reaper_interval: 500ms
          block_timeout: 1s
          redis:
        \(redisSection)
        """)
        try writeFile("\(directory)/local.yaml", "environment:\n  name: local\n")
        queue = JobQueue(redis: RedisConnection(settings: settings),
                         settings: try QueueSettings(section: ["key_prefix": .string(prefix), "lease": .string(lease), "heartbeat": .string(heartbeat)]))
    }

    deinit {
        for w in workers { w.signal(SIGKILL); _ = w.wait(timeout: 2) }
    }

    @discardableResult
    func startWorker(queues: [String], concurrency: Int = 2, arguments: [String] = []) throws -> SpawnedProcess {
        let bin = TestEnvironment.binDirectory
        var env = ["MMP_CONFIG_DIR": directory, "MMP_BIN": "\(bin)/mmp", "APP_ENV": "local"]
        for (k, v) in environment { env[k] = v }
        let w = try SpawnedProcess("\(bin)/mmp-worker", ["--log-format", "json", "--queues", queues.joined(separator: ","),
                                                         "--concurrency", String(concurrency)] + arguments,
                                   environment: env, log: "\(directory)/worker-\(workers.count).log")
        workers.append(w)
        return w
    }

    func stopWorkers() {
        for w in workers { w.signal(SIGTERM) }
        for w in workers where w.wait(timeout: 30) == nil { w.signal(SIGKILL); w.wait() }
    }

    /// Submits a sleep of `seconds` that leaves its mark; retried through refusals (a failover),
    /// with an idempotency key, so a retry after a lost reply is the same job.
    func submit(queue name: String, seconds: Double, key: String) throws -> String {
        let payload = JobPayload(kind: .diagnostic, options: JSONObject([("action", "sleep"), ("seconds", .double(seconds)),
                                                                        ("mark", .string(marks))]))
        var last: (any Error)?
        for _ in 0..<200 {
            do { return try queue.submit(.init(queue: name, payload: payload, idempotencyKey: key)).id } catch {
                // Only "Redis unavailable" gets better by waiting.
                guard MMPError.wrap(error).isRetryable else { throw error }
                last = error
                Backoff.sleep(0.1)
            }
        }
        throw last!
    }

    /// Each job's state, read through faults.
    func states(_ ids: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for id in ids {
            var state: String?
            _ = waitUntil(30, interval: 0.1) { state = try? queue.record(id)?.stateText; return state != nil }
            out[id] = state ?? "missing"
        }
        return out
    }

    func allSucceeded(_ ids: [String]) -> Bool {
        ids.allSatisfy { id in (try? queue.record(id)?.state) == .succeeded }
    }

    /// How many times each job ran to its end, from the marks its runs left.
    func runs() -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in ((try? readFile(marks)) ?? "").split(separator: "\n") {
            if let id = line.split(separator: " ").first { counts[String(id), default: 0] += 1 }
        }
        return counts
    }

    func logs() -> String {
        workers.indices.map { (try? readFile("\(directory)/worker-\($0).log")) ?? "" }.joined(separator: "\n---\n")
    }
}

/// 200 jobs on two workers through a `SENTINEL FAILOVER` of their Redis master.
@Suite(.serialized) struct FleetFailoverTests {
    @Test func everyJobSucceedsOnceThroughAFailover() throws {
        let master = "mmp-fleet"
        try SentinelAdmin.waitUntilReady(master)
        let sentinels = try TestEnvironment.sentinels().map(\.description).joined(separator: ",")
        let fleet = try HAFleet(label: "failover", settings: try TestEnvironment.sentinelSettings(master: master),
                                redisSection: "    url: \"\"\n    sentinels: \(sentinels)\n    sentinel_master: \(master)")
        var ids: [String] = []
        for i in 0..<200 { ids.append(try fleet.submit(queue: "ha", seconds: 0.05 + Double(i % 5) * 0.05, key: "job-\(i)")) }
        try fleet.startWorker(queues: ["ha"])
        try fleet.startWorker(queues: ["ha"])
        // Fail over once a fair share has run and the rest is queued or running.
        #expect(waitUntil(120, interval: 0.1) { fleet.runs().count >= 40 })
        let old = try SentinelAdmin.failover(master)
        let new = try SentinelAdmin.waitForNewMaster(master, other: old)
        let done = waitUntil(240, interval: 0.5) { fleet.allSucceeded(ids) }
        fleet.stopWorkers()
        let states = try fleet.states(ids)
        let notSucceeded = states.filter { $0.value != "succeeded" }
        #expect(done && notSucceeded.isEmpty, "not succeeded: \(notSucceeded.prefix(5)) (\(notSucceeded.count) in all)\n\(String(fleet.logs().suffix(3000)))")
        let runs = fleet.runs()
        let twice = runs.filter { $0.value > 1 }
        let never = ids.filter { runs[$0] == nil }
        #expect(twice.isEmpty, "ran more than once: \(twice)")
        #expect(never.isEmpty, "never ran to its end: \(never.prefix(5))")
        #expect(try SentinelAdmin.master(master) == new)
    }
}

/// Jobs on three queues whose slots sit on the three masters of the test cluster, one of them
/// while its slot moves to another master.
@Suite(.serialized) struct FleetClusterTests {
    @Test func queuesOnEveryMasterAndOneMovingAllSucceed() throws {
        let nodes = try TestEnvironment.clusterNodes()
        let run = UInt32.random(in: 0...UInt32.max)
        // Queue names whose hash tags sit on each master.
        let queues = try nodes.map { try ClusterAdmin.tag(on: $0, prefix: "cq\(run)-") }
        var settings = RedisSettings(host: nodes[0].host, port: nodes[0].port, connectTimeout: 2, commandTimeout: 5)
        settings.database = 0
        let fleet = try HAFleet(label: "cluster", settings: settings, redisSection: "    url: redis://\(nodes[0])")
        #expect(Set(try queues.map { try ClusterAdmin.owner(of: ClusterHashSlot.of($0)) }) == Set(nodes))
        try fleet.startWorker(queues: queues)
        try fleet.startWorker(queues: queues.reversed())
        var ids: [String] = []
        for i in 0..<60 { ids.append(try fleet.submit(queue: queues[i % 3], seconds: 0.05, key: "a-\(i)")) }
        let firstDone = waitUntil(120, interval: 0.2) { fleet.allSucceeded(ids) }
        #expect(firstDone, "\(String(fleet.logs().suffix(3000)))")

        // Move queue 0's slot from its master to the next while jobs are submitted and run on it.
        let slot = ClusterHashSlot.of(queues[0])
        let source = nodes[0], target = nodes[1]
        for i in 0..<30 { ids.append(try fleet.submit(queue: queues[i % 3], seconds: 0.3, key: "b-\(i)")) }
        try ClusterAdmin.beginMigration(slot: slot, from: source, to: target)
        // A slow reshard, beside the workers and the submits: five keys every 0.1 s, so the
        // queue's keys stay split between the masters for a while (its scripts meet ASK and
        // TRYAGAIN meanwhile).
        let moved = Mutex(0)
        let mover = ThreadBox {
            while true {
                let n = (try? ClusterAdmin.moveKeys(slot: slot, from: source, to: target, batch: 5)) ?? 0
                moved.withLock { $0 += n }
                if n == 0 { break }
                Backoff.sleep(0.1)
            }
            try? ClusterAdmin.finishMigration(slot: slot, from: source, to: target)
        }
        for i in 0..<30 {
            ids.append(try fleet.submit(queue: queues[0], seconds: 0.1, key: "c-\(i)"))
            Backoff.sleep(0.05)
        }
        mover.join()
        #expect(moved.withLock { $0 } > 10)
        #expect(try ClusterAdmin.owner(of: slot) == target)
        for i in 0..<30 { ids.append(try fleet.submit(queue: queues[i % 3], seconds: 0.05, key: "d-\(i)")) }
        let done = waitUntil(180, interval: 0.3) { fleet.allSucceeded(ids) }
        fleet.stopWorkers()
        let states = try fleet.states(ids)
        let notSucceeded = states.filter { $0.value != "succeeded" }
        #expect(done && notSucceeded.isEmpty, "not succeeded: \(notSucceeded.prefix(5)) (\(notSucceeded.count) in all)\n\(String(fleet.logs().suffix(4000)))")
        let runs = fleet.runs()
        #expect(runs.filter { $0.value > 1 }.isEmpty, "ran more than once: \(runs.filter { $0.value > 1 })")
        #expect(ids.allSatisfy { runs[$0] == 1 })
        // The queue's keys now live on the target.
        #expect(try ClusterAdmin.direct(target, "EXISTS", "\(fleet.prefix):{\(queues[0])}:succeeded").int == 1)
        try ClusterAdmin.migrate(slot: slot, from: target, to: source)
    }
}
