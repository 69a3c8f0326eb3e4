#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MMPCore
import MMPTestSupport

let repoRoot = TestEnvironment.repoRoot

/// A config folder of a test's own: CSVs from the repository, bundles under the folder, tracking
/// to `trackingURI`, jobs through the test redis-server under `prefix`. `env` names the
/// environment file (`dev` for the fleet tests, as an APP_ENV=dev worker reads it).
struct TrackingConfig {
    let directory: String
    let env: String
    let experiment: String

    init(trackingURI: String, experiment: String, env: String = "local", extra: String = "", tracking: String = "",
         storage: String = "filesystem") throws {
        directory = try TestEnvironment.temporaryDirectory("mmp-tracking")
        self.env = env
        self.experiment = experiment
        let redis = try TestEnvironment.redisURL()
        try """
        data_adapters: {loader: local_files, storage: \(storage), feature_store: none}
        adapters:
          local_files: {base_path: \(repoRoot)}
          filesystem: {root: \(directory)/artifacts}
          mlflow: {fallback_root: \(directory)/fallback}
        tracking:
          type: mlflow
          tracking_uri: \(trackingURI)
          experiment_name: \(experiment)
          max_attempts: 2
          backoff: {base: 100ms, cap: 200ms}
          request_timeout: 10s
        \(tracking)
        queue:
          redis: {url: \(redis)}
          key_prefix: \(experiment)
          lease: 5s
          heartbeat: 250ms
          reaper_interval: 250ms
          block_timeout: 1s
          max_attempts: 1
        \(extra)
        """.write(toFile: "\(directory)/base.yaml", atomically: true, encoding: .utf8)
        try "environment: {name: \(env)}\n".write(toFile: "\(directory)/\(env).yaml", atomically: true, encoding: .utf8)
    }

    var environment: [String: String] { ["APP_ENV": env, "MMP_CONFIG_DIR": directory] }

    /// Runs `mmp` with this config.
    func mmp(_ arguments: [String], environment extra: [String: String] = [:]) throws -> ProcessResult {
        try runBinary("mmp", arguments, environment: environment.merging(extra) { $1 })
    }

    /// `mmp ... --json` that must succeed; its JSON.
    func mmpJSON(_ arguments: [String], environment extra: [String: String] = [:]) throws -> JSON {
        let r = try mmp(arguments, environment: extra)
        guard r.status == 0 else { throw MMPError(.internal, "mmp \(arguments.joined(separator: " ")) exited \(r.status): \(r.stderr)") }
        return try JSON.parse(r.stdout.trimmed())
    }
}

/// An `mmp-worker` with a config folder, its output in a log file.
final class TrackingWorker: @unchecked Sendable {
    // Used from one test.
    let child: SpawnedProcess
    let log: String
    private var stopped = false

    init(_ config: TrackingConfig, environment extra: [String: String] = [:]) throws {
        log = "\(config.directory)/worker.log"
        let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MMPError.io("cannot open \(log)") }
        defer { close(fd) }
        var env = config.environment.merging(extra) { $1 }
        env["MMP_BIN"] = TestEnvironment.binary("mmp")
        child = try SpawnedProcess(TestEnvironment.binary("mmp-worker"), ["--concurrency", "1", "--grace", "2s"], environment: env,
                                   directory: repoRoot, stdio: (-1, fd, fd))
    }

    var isRunning: Bool { child.wait(timeout: 0) == nil }

    func stop() {
        guard !stopped else { return }
        stopped = true
        child.signal(SIGTERM)
        _ = child.wait()
    }

    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    deinit { stop() }
}

extension MLflowEndpoint {
    /// A run as MLflow's Python client sees it: status, params, metrics, tags.
    func run(_ runID: String) throws -> JSON {
        try pythonJSON("""
        import json, mlflow
        r = mlflow.get_run("\(runID)")
        print(json.dumps({"status": r.info.status, "experiment_id": r.info.experiment_id, "params": r.data.params,
                          "metrics": r.data.metrics, "tags": r.data.tags}))
        """)
    }

    /// Waits until the run has the status (the run guard ends runs a moment after the job).
    func waitForStatus(_ runID: String, _ status: String, timeout: Double = 60) throws -> JSON {
        var last: JSON = .null
        _ = try waitUntil(timeout, interval: 0.5) {
            last = try run(runID)
            return last["status"]?.stringValue == status
        }
        return last
    }
}

/// A name no other test (or earlier run against the same server) uses.
func randomName(_ prefix: String) -> String { "\(prefix)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))" }
