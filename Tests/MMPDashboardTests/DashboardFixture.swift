import Foundation
import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport

/// A queue of its own (key prefix) on the test Redis, a config folder pointing at it, and the
/// `mmp dashboard` / `mmp-worker` / `mmp` processes that read it.
final class DashboardFixture: @unchecked Sendable {
    let prefix: String
    let config: String
    let redisURL: String
    let queue: JobQueue

    init(redisURL: String? = nil) throws {
        self.redisURL = try redisURL ?? TestEnvironment.redisURL()
        prefix = "dash-\(UInt32.random(in: 0...UInt32.max))"
        config = "\(try TestEnvironment.stateDirectory())/\(prefix)-config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try writeFile("\(config)/base.yaml", """
        queue:
          redis: {url: \(self.redisURL), connect_timeout: 1s, command_timeout: 2s}
          key_prefix: \(prefix)
          lease: 5s
          heartbeat: 250ms
          reaper_interval: 250ms
          backoff: {base: 1s, cap: 2s}
          block_timeout: 1s
        """)
        try writeFile("\(config)/local.yaml", "environment: {name: local}\n")
        var settings = QueueSettings()
        settings.keyPrefix = prefix
        queue = JobQueue(redis: try RedisConnection.connect(try RedisSettings(url: self.redisURL)), settings: settings)
        try queue.loadScripts()
    }

    var environment: [String: String] { ["MMP_CONFIG_DIR": config, "APP_ENV": "local"] }

    func dashboard(_ extra: [String] = [], token: String? = nil) throws -> ServerProcess {
        var env = environment
        if let token { env["MMP_DASHBOARD_TOKEN"] = token }
        let server = try ServerProcess("mmp", ["dashboard"] + extra, environment: env)
        try server.waitUntilListening()
        return server
    }

    func mmp(_ arguments: [String]) throws -> ProcessResult { try runBinary("mmp", arguments, environment: environment) }

    func worker(queues: String, log: String) throws -> SpawnedProcess {
        var env = environment
        env["MMP_BIN"] = TestEnvironment.binary("mmp")
        return try SpawnedProcess(TestEnvironment.binary("mmp-worker"), ["--queues", queues, "--concurrency", "1", "--grace", "2s"],
                                  environment: env, directory: TestEnvironment.repoRoot, log: log)
    }

    /// Jobs in every state but active: `default` holds 2 succeeded, 2 dead, 1 failed, 1 cancelled,
    /// 1 scheduled and 3 pending (one of them recipe-less `diagnostic`); `reports` 1 succeeded and 1 pending.
    @discardableResult
    func seed() throws -> (dead: [String], scheduled: String, failed: String) {
        func finish(_ q: String) throws {
            let claim = try queue.claim(queue: q, ClaimRequest(worker: "seed-worker", token: "seed-\(UInt32.random(in: 0...UInt32.max))"))
            guard let job = claim.jobs.first else { throw MMPError.internalError("nothing to claim in \(q)") }
            _ = try queue.complete(job.lease, result: ["metrics": ["accuracy": 0.93]])
        }
        var dead: [String] = []
        for _ in 0..<2 { _ = try queue.submit(.init(queue: "default", payload: noop())); try finish("default") }
        for _ in 0..<2 {
            let s = try queue.submit(.init(queue: "default", payload: noop(), maxAttempts: 1))
            let claim = try queue.claim(queue: "default", ClaimRequest(worker: "seed-worker", token: "seed-d"))
            _ = try queue.fail(claim.jobs[0].lease, mode: .dead, kind: "internal", message: "boom at step 3", backoff: 0)
            dead.append(s.id)
        }
        let failed = try queue.submit(.init(queue: "default", payload: noop()))
        let claim = try queue.claim(queue: "default", ClaimRequest(worker: "seed-worker", token: "seed-f"))
        _ = try queue.fail(claim.jobs[0].lease, mode: .permanent, kind: "invalid_input", message: "column 'amount' is missing", backoff: 0)
        let cancelled = try queue.submit(.init(queue: "default", payload: noop()))
        _ = try queue.cancel(cancelled.id)
        let scheduled = try queue.submit(.init(queue: "default", payload: noop(), delay: 3600))
        for i in 0..<2 { _ = try queue.submit(.init(queue: "default", payload: noop(i))) }
        _ = try queue.submit(.init(queue: "default", payload: JobPayload(kind: .diagnostic)))
        _ = try queue.submit(.init(queue: "reports", payload: noop())); try finish("reports")
        _ = try queue.submit(.init(queue: "reports", payload: noop()))
        return (dead, scheduled.id, failed.id)
    }

    /// `mmp queues --json`, by queue.
    func queuesJSON() throws -> [String: JSON] {
        let r = try mmp(["queues", "--json"])
        guard r.status == 0 else { throw MMPError.io("mmp queues --json failed: \(r.stderr)") }
        var out: [String: JSON] = [:]
        for q in try JSON.parse(r.stdout.trimmed()).arrayValue ?? [] { out[q["queue"]?.stringValue ?? ""] = q }
        return out
    }
}

func noop(_ n: Int = 0) -> JobPayload { JobPayload(kind: .noop, options: JSONObject([("n", JSON.int(n))])) }

/// The form fields of the first action form on a page whose action is `path`: its CSRF token.
func csrfToken(in html: String) -> String? {
    guard let r = html.range(of: "name=\"csrf\" value=\"") else { return nil }
    let rest = html[r.upperBound...]
    return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
}
