#if canImport(Glibc)
import Glibc
#endif
import MMPCore

/// The chaos run's `mmp-worker` processes: started with ids of their own, killed, stopped and
/// replaced; every one reaped.
final class ChaosFleet {
    struct Worker {
        let id: String
        let pid: pid_t
    }

    let binary: String
    let arguments: [String]
    let environment: [String: String]
    let logDirectory: String
    private(set) var live: [Worker] = []
    /// Every worker started, stopped or not (their logs are read at the end).
    private(set) var everStarted: [Worker] = []
    /// Sent SIGTERM or SIGKILL, not reaped yet.
    private var leaving: [pid_t] = []
    private var started = 0

    init(binary: String, arguments: [String], environment: [String: String], logDirectory: String) {
        self.binary = binary
        self.arguments = arguments
        self.environment = environment
        self.logDirectory = logDirectory
    }

    @discardableResult
    func start() throws -> Worker {
        started += 1
        let id = "chaos-w\(started)"
        let log = "\(logDirectory)/\(id).log"
        // Started in the log folder (`env -C`), so that run.sh can find any worker left behind
        // by its working folder, as scripts/test.sh does.
        let pid = try ProcessSpawner.spawn("/usr/bin/env", arguments: ["-C", logDirectory, binary] + arguments + ["--worker-id", id],
                                           environment: environment,
                                           fileActions: [.null(0), .open(log, flags: O_WRONLY | O_CREAT | O_APPEND, to: 1),
                                                         .open(log, flags: O_WRONLY | O_CREAT | O_APPEND, to: 2)])
        let worker = Worker(id: id, pid: pid)
        live.append(worker)
        everStarted.append(worker)
        return worker
    }

    /// Sends `signal` to the worker at `index` and forgets it (it is reaped when it exits).
    func signal(_ index: Int, _ signal: Int32) -> Worker {
        let worker = live.remove(at: index)
        kill(worker.pid, signal)
        leaving.append(worker.pid)
        return worker
    }

    /// Reaps whatever has exited.
    func reap() {
        leaving.removeAll { pid in
            var status: Int32 = 0
            return waitpid(pid, &status, WNOHANG) == pid
        }
    }

    /// SIGTERM to every worker, up to `grace` seconds to go, then SIGKILL.
    func stopAll(grace: Double) {
        while !live.isEmpty { _ = signal(0, SIGTERM) }
        let end = Timestamp.monotonic() + grace
        while !leaving.isEmpty, Timestamp.monotonic() < end {
            reap()
            usleep(50_000)
        }
        for pid in leaving { kill(pid, SIGKILL) }
        for pid in leaving {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        leaving = []
    }
}
