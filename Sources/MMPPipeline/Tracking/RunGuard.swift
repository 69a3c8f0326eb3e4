#if canImport(Glibc)
import Glibc
#endif
import MMPConfig
import MMPCore
import MMPQueue
import MMPTracking

/// The last word on a run whose training process died before ending it.
///
/// A worker stops a cancelled or timed-out job with SIGKILL, which no process can catch; a
/// crash or the OOM killer ends one just as abruptly. So when a run starts, the training process
/// starts `mmp run-guard` with a pipe on its stdin. A run that ends normally writes `done` and
/// the guard exits; when the training process dies the pipe closes without it, and the guard
/// ends the run: KILLED when the job was cancelled (or requeued at a worker's shutdown, or it was
/// an interrupted `mmp train`), FAILED with the job's error when the job failed.
final class RunGuard: @unchecked Sendable {
    // Only the training thread touches it.
    private var fd: Int32

    private init(fd: Int32) { self.fd = fd }

    /// Starts the guard; nil (with the reason in `warn`) when it cannot start: the run is then
    /// ended only by this process.
    static func start(executable: String, runID: String, jobID: String?, request: TrackingRequest,
                      warn: (String) -> Void) -> RunGuard? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { warn("cannot start the run guard: pipe failed"); return nil }
        for f in fds { _ = fcntl(f, F_SETFD, FD_CLOEXEC) }
        var arguments = ["run-guard", "--run-id", runID]
        if let jobID { arguments += ["--job-id", jobID] }
        if let env = request.appEnv { arguments += ["--env", env] }
        if let dir = request.configDirectory { arguments += ["--config-dir", dir] }
        do {
            // Its own process group, stdout on /dev/null: a worker reads its job child's stdout
            // to EOF, and must not wait for the guard.
            _ = try ProcessSpawner.spawn(executable, arguments: arguments,
                                         fileActions: [.duplicate(fds[0], to: 0), .null(1)], newProcessGroup: true)
        } catch {
            close(fds[0]); close(fds[1])
            warn("cannot start the run guard: \(MMPError.wrap(error).message)")
            return nil
        }
        close(fds[0])
        return RunGuard(fd: fds[1])
    }

    /// The run has been ended here: the guard exits without touching it.
    func release() {
        guard fd >= 0 else { return }
        let word = Array("done\n".utf8)
        _ = word.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        fd = -1
    }

    deinit { if fd >= 0 { close(fd) } }

    // MARK: The guard's side (`mmp run-guard`)

    /// Waits for the training process; when it died without ending the run, ends it. Returns
    /// what it did, for the guard's log line (nil: nothing to do).
    static func watch(runID: String, jobID: String?, config: () throws -> AppConfig) -> String? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        if String(decoding: received, as: UTF8.self).contains("done") { return nil }
        do {
            let config = try config()
            let settings = try TrackingSettings(section: try config.section("tracking"), file: config.files.last ?? "the config")
            guard let client = try settings.client(environment: config.environment) else { return nil }
            let (status, reason, error) = verdict(jobID: jobID, config: config)
            var tags = [("mmp.end_reason", reason)]
            if let error { tags.append(("mmp.error", SecretScrubber(environment: config.environment).scrub(error))) }
            try client.logBatch(runID, RunBatch(tags: tags))
            try client.endRun(runID, status: status, endTimeMillis: Int(Timestamp.now() * 1000))
            return "run \(runID) marked \(status.rawValue): \(reason)"
        } catch {
            return "could not end run \(runID): \(SecretScrubber.redactURLPasswords(in: MMPError.wrap(error).message))"
        }
    }

    /// How the job ended, from its record (the supervisor writes it right after the child dies).
    static func verdict(jobID: String?, config: AppConfig) -> (MLflowRunStatus, String, String?) {
        guard let jobID else { return (.killed, "the training process was interrupted", nil) }
        let deadline = Timestamp.monotonic() + 30
        var queue: JobQueue?
        while Timestamp.monotonic() < deadline {
            if queue == nil { queue = try? JobContext.open(config) }
            var record: JobRecord?
            do { record = try queue?.record(jobID) } catch { queue = nil }  // reconnect on the next round
            if let record {
                if record.cancelRequested || record.state == .cancelled { return (.killed, "the job was cancelled", nil) }
                switch record.state {
                case .queued?: return (.killed, "the job was stopped at a worker's shutdown and requeued", nil)
                case .failed?, .dead?, .scheduled?:
                    return (.failed, "the job failed", record.errorMessage ?? "the job process ended without a result")
                case .succeeded?: return (.killed, "the job process ended before it finished the run", nil)
                default: break
                }
            }
            RetryPolicy.sleep(0.25)
        }
        return (.killed, "the job process ended without finishing the run", nil)
    }
}

/// The guard process's entry point (`mmp run-guard`).
public enum RunGuardWatch {
    /// Blocks until the training process ends; returns a line to log when it ended a run.
    public static func run(runID: String, jobID: String?, config: () throws -> AppConfig) -> String? {
        RunGuard.watch(runID: runID, jobID: jobID, config: config)
    }
}
