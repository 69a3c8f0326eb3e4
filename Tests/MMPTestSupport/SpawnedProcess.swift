#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MMPCore
import MMPRedis

/// A child started with posix_spawn and reaped with waitpid. (Foundation's `Process` left a
/// child that started PostgreSQL daemons unreaped here, and `waitUntilExit` never returned.)
public final class SpawnedProcess: @unchecked Sendable {
    // `exitStatus` is touched only by the thread that waits for the child.
    public let pid: pid_t
    private var exitStatus: Int32?

    /// Starts `executable` with the test's environment plus `environment`, in `directory`.
    /// - Parameter stdio: file descriptors for the child's 0, 1, 2 (dup2'ed); -1 means /dev/null.
    public init(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:],
                directory: String = TestEnvironment.repoRoot, stdio: (Int32, Int32, Int32) = (-1, -1, -1)) throws {
        var env = TestEnvironment.variables
        for (k, v) in extra { env[k] = v }
        let actions: [ProcessSpawner.FileAction] = [(Int32(0), stdio.0), (1, stdio.1), (2, stdio.2)].map { target, fd in
            fd < 0 ? .null(target) : .duplicate(fd, to: target)
        }
        // `env -C` sets the working folder (posix_spawn_file_actions_addchdir_np is not exported here).
        pid = try ProcessSpawner.spawn("/usr/bin/env", arguments: ["-C", directory, executable] + arguments,
                                       environment: env, fileActions: actions)
    }

    /// Starts `executable` with stdout and stderr appended to `log`.
    public convenience init(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                            directory: String = TestEnvironment.repoRoot, log: String) throws {
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MMPError.io("cannot open \(log)") }
        defer { close(fd) }
        try self.init(executable, arguments, environment: environment, directory: directory, stdio: (-1, fd, fd))
    }

    public func signal(_ sig: Int32) { _ = kill(pid, sig) }

    /// Blocks until the child exits; its shell-style status (128 + signal when killed).
    @discardableResult
    public func wait() -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        let code = ProcessSpawner.Exit(waitStatus: status).shellStatus
        exitStatus = code
        return code
    }

    /// Waits up to `timeout` seconds; the shell-style status, or nil while it still runs.
    public func wait(timeout: Double) -> Int32? {
        if let exitStatus { return exitStatus }
        let end = Timestamp.monotonic() + timeout
        repeat {
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                let code = ProcessSpawner.Exit(waitStatus: status).shellStatus
                exitStatus = code
                return code
            }
            if r < 0 { return exitStatus }
            Backoff.sleep(0.02)
        } while Timestamp.monotonic() < end
        return nil
    }

    /// SIGTERM, then SIGKILL when it has not exited within `grace` seconds.
    public func stop(grace: Double = 10) {
        signal(SIGTERM)
        if wait(timeout: grace) == nil {
            signal(SIGKILL)
            _ = wait(timeout: 5)
        }
    }
}

public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program to its end and collects its output.
public func runProcess(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:],
                       directory: String = TestEnvironment.repoRoot, stdin: String? = nil) throws -> ProcessResult {
    let inPipe = try makePipe(), outPipe = try makePipe(), errPipe = try makePipe()
    let child = try SpawnedProcess(executable, arguments, environment: extra, directory: directory,
                                   stdio: (inPipe[0], outPipe[1], errPipe[1]))
    close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
    let collected = Collected()
    let readers = DispatchGroup()
    DispatchQueue.global().async(group: readers) { collected.out = drain(outPipe[0]) }
    DispatchQueue.global().async(group: readers) { collected.err = drain(errPipe[0]) }
    if let stdin {
        let bytes = Array(stdin.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(inPipe[1], $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { break }
            offset += n
        }
    }
    close(inPipe[1])
    let status = child.wait()
    // A daemon the child started may keep the pipes open: read what is there, then stop waiting.
    _ = readers.wait(timeout: .now() + 5)
    return ProcessResult(status: status, stdout: String(decoding: collected.out, as: UTF8.self),
                         stderr: String(decoding: collected.err, as: UTF8.self))
}

/// Runs a built executable (`mmp`, `mmp-worker`) to its end.
public func runBinary(_ name: String, _ arguments: [String], environment: [String: String] = [:],
                      directory: String = TestEnvironment.repoRoot, stdin: String? = nil) throws -> ProcessResult {
    try runProcess(TestEnvironment.binary(name), arguments, environment: environment, directory: directory, stdin: stdin)
}

/// A pipe whose ends close on exec (the child gets only the dup2'ed copies).
private func makePipe() throws -> [Int32] {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw MMPError.io("pipe failed") }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return fds
}

private func drain(_ fd: Int32) -> [UInt8] {
    defer { close(fd) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
        if n < 0, errno == EINTR { continue }
        if n <= 0 { return out }
        out += buffer[0..<n]
    }
}

private final class Collected: @unchecked Sendable {
    // Each field is written by one reader thread and read after both finish.
    var out: [UInt8] = []
    var err: [UInt8] = []
}
