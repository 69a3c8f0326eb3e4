#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MMPCore
import MMPTestSupport

let repoRoot = TestEnvironment.repoRoot

/// A long-running `mmp-worker`, its output in a log file.
final class WorkerProcess: @unchecked Sendable {
    let child: SpawnedProcess
    let log: String
    private var stopped = false

    init(configDirectory: String, environment extra: [String: String], log: String) throws {
        self.log = log
        let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MMPError.io("cannot open \(log)") }
        defer { close(fd) }
        var env = extra
        env["MMP_CONFIG_DIR"] = configDirectory
        env["MMP_BIN"] = TestEnvironment.binary("mmp")
        child = try SpawnedProcess(TestEnvironment.binary("mmp-worker"), ["--concurrency", "1", "--grace", "2s"], environment: env,
                            directory: TestEnvironment.repoRoot, stdio: (-1, fd, fd))
    }

    /// SIGTERM, and waits for the worker's shutdown.
    func stop() {
        guard !stopped else { return }
        stopped = true
        child.signal(SIGTERM)
        _ = child.wait()
    }

    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
}

