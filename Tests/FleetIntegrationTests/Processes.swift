#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MMPCore

let repoRoot: String = ProcessInfo.processInfo.environment["MMP_REPO_ROOT"] ?? FileManager.default.currentDirectoryPath

/// Built executables (`MMP_BIN_DIR`, set by scripts/test.sh).
func binary(_ name: String) throws -> String {
    guard let dir = ProcessInfo.processInfo.environment["MMP_BIN_DIR"] else {
        throw MMPError(.invalidConfig, "MMP_BIN_DIR is not set: run the tests through scripts/test.sh")
    }
    return "\(dir)/\(name)"
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A child started with posix_spawn and reaped with waitpid. (Foundation's `Process` left a
/// child that started PostgreSQL daemons unreaped here, and `waitUntilExit` never returned.)
final class Spawned: @unchecked Sendable {
    let pid: pid_t

    /// - Parameters:
    ///   - stdio: file descriptors for the child's 0, 1, 2 (dup2'ed); -1 means /dev/null.
    init(_ executable: String, _ arguments: [String], environment extra: [String: String], directory: String, stdio: (Int32, Int32, Int32)) throws {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in extra { env[k] = v }
        let actions: [ProcessSpawner.FileAction] = [(Int32(0), stdio.0), (1, stdio.1), (2, stdio.2)].map { target, fd in
            fd < 0 ? .null(target) : .duplicate(fd, to: target)
        }
        // `env -C` sets the working folder (posix_spawn_file_actions_addchdir_np is not exported here).
        pid = try ProcessSpawner.spawn("/usr/bin/env", arguments: ["-C", directory, executable] + arguments,
                                       environment: env, fileActions: actions)
    }

    /// Blocks until the child exits; its exit status (128 + signal when killed).
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        return ProcessSpawner.Exit(waitStatus: status).shellStatus
    }

    func signal(_ sig: Int32) { _ = kill(pid, sig) }
}

/// Runs a program to its end and collects its output.
func runProcess(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:],
                directory: String = repoRoot, stdin: String? = nil) throws -> ProcessResult {
    let inPipe = try makePipe(), outPipe = try makePipe(), errPipe = try makePipe()
    let child = try Spawned(executable, arguments, environment: extra, directory: directory, stdio: (inPipe[0], outPipe[1], errPipe[1]))
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

final class Collected: @unchecked Sendable {
    // Each field is written by one reader thread and read after both finish.
    var out: [UInt8] = []
    var err: [UInt8] = []
}

/// A long-running `mmp-worker`, its output in a log file.
final class WorkerProcess: @unchecked Sendable {
    let child: Spawned
    let log: String
    private var stopped = false

    init(configDirectory: String, environment extra: [String: String], log: String) throws {
        self.log = log
        let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MMPError.io("cannot open \(log)") }
        defer { close(fd) }
        var env = extra
        env["MMP_CONFIG_DIR"] = configDirectory
        env["MMP_BIN"] = try binary("mmp")
        child = try Spawned(try binary("mmp-worker"), ["--concurrency", "1", "--grace", "2s"], environment: env,
                            directory: repoRoot, stdio: (-1, fd, fd))
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

/// Polls `condition` every 100 ms for up to `timeout` seconds.
func waitUntil(_ timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.1)
    }
    return try condition()
}
