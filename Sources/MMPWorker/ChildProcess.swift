#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import Synchronization

/// An `mmp run-job` child: payload on its stdin, `ChildMessage` lines on its stdout.
///
/// Started with posix_spawn in a process group of its own (a Ctrl-C on the worker's terminal
/// must not kill running jobs before the grace period), with default signal handling.
final class ChildProcess: @unchecked Sendable {
    /// Pipes are made and children spawned one at a time per process (see the pipes' comment).
    static let spawnLock = Mutex(())
    let pid: pid_t
    private var stdoutFD: Int32
    private var buffer: [UInt8] = []

    typealias Exit = ProcessSpawner.Exit

    /// - Parameter environment: the child's whole environment; nil inherits the worker's.
    init(executable: String, arguments: [String], input: String, environment: [String: String]? = nil) throws {
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        let child = try ChildProcess.spawnLock.withLock { _ throws -> pid_t in
            // Close-on-exec, set under the spawn lock: a child started by another slot at the same
            // moment must not inherit these ends (it would hold this child's stdin open, and two
            // such children would wait on each other forever). dup2 onto 0 and 1 clears the flag for
            // this child's own copies.
            guard pipe(&toChild) == 0 else { throw MMPError.io("cannot create pipes for the job process: errno \(errno)") }
            guard pipe(&fromChild) == 0 else {
                close(toChild[0]); close(toChild[1])
                throw MMPError.io("cannot create pipes for the job process: errno \(errno)")
            }
            for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            defer { close(toChild[0]); close(fromChild[1]) }
            do {
                return try ProcessSpawner.spawn(executable, arguments: arguments, environment: environment,
                                                fileActions: [.duplicate(toChild[0], to: 0), .duplicate(fromChild[1], to: 1)],
                                                newProcessGroup: true)
            } catch {
                close(toChild[1]); close(fromChild[0])
                throw error
            }
        }
        pid = child
        stdoutFD = fromChild[0]
        // The payload goes in whole, then EOF. The child reads all of stdin before it starts.
        var text = input
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = write(toChild[1], bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 { if errno == EINTR { continue }; break }  // the child died: its exit says why
                offset += n
            }
        }
        close(toChild[1])
    }

    /// The next line of the child's stdout, or nil at EOF.
    func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            guard stdoutFD >= 0 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 16384)
            let n = chunk.withUnsafeMutableBytes { read(stdoutFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                close(stdoutFD)
                stdoutFD = -1
                if buffer.isEmpty { return nil }
                let line = String(decoding: buffer, as: UTF8.self)
                buffer = []
                return line
            }
            buffer += chunk[0..<n]
        }
    }

    /// Waits until the child has exited without reaping it, so its pid stays reserved while
    /// another thread may still send it a signal.
    func waitForExit() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
    }

    /// Reaps the child and says how it ended.
    func reap() -> Exit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if stdoutFD >= 0 { close(stdoutFD); stdoutFD = -1 }
        return Exit(waitStatus: status)
    }

    static func signalName(_ s: Int32) -> String {
        switch s {
        case SIGKILL: return "SIGKILL"
        case SIGABRT: return "SIGABRT"
        case SIGSEGV: return "SIGSEGV"
        case SIGTERM: return "SIGTERM"
        case SIGILL: return "SIGILL"
        case SIGBUS: return "SIGBUS"
        case SIGTRAP: return "SIGTRAP"
        case SIGFPE: return "SIGFPE"
        default: return "signal \(s)"
        }
    }
}
