#if canImport(Glibc)
import Glibc
#endif
import MMPCore

/// A server executable of mmp's (`mmp serve`, later `mmp dashboard`) started as a real process
/// on a free loopback port, its output in a log file under the test state folder, stopped by
/// PID when the test ends.
public final class ServerProcess: @unchecked Sendable {
    // Used from one test at a time.
    public let port: Int
    public let log: String
    public let process: SpawnedProcess

    /// Starts `binary arguments... --port <free port>`, by default in a folder of its own under
    /// the state folder (so that scripts/test.sh stops it even if the test could not).
    public init(_ binary: String, _ arguments: [String], environment: [String: String] = [:],
                directory: String? = nil) throws {
        port = try freePort()
        let state = try TestEnvironment.stateDirectory()
        log = "\(state)/\(binary)-\(port).log"
        let folder = directory ?? "\(state)/\(binary)-\(port)"
        mkdir(folder, 0o755)
        process = try SpawnedProcess(TestEnvironment.binary(binary), arguments + ["--port", String(port)],
                                     environment: environment, directory: folder, log: log)
    }

    /// Waits until `path` answers at all (any status): the listener is up.
    public func waitUntilListening(path: String = "/health", timeout: Double = 60) throws {
        let up = waitUntil(timeout, interval: 0.05) {
            if process.wait(timeout: 0) != nil { return true }
            return (try? httpRequest(port: port, "GET", path, timeout: 2)) != nil
        }
        if let status = process.wait(timeout: 0) {
            throw MMPError.io("the server exited with status \(status) before listening; its log:\n\(output)")
        }
        guard up else { throw MMPError(.timeout, "the server did not listen on \(port) within \(timeout)s; its log:\n\(output)") }
    }

    /// Waits until `path` answers 200.
    public func waitUntilOK(path: String, timeout: Double = 60) throws {
        let ok = waitUntil(timeout, interval: 0.05) { (try? httpRequest(port: port, "GET", path, timeout: 2))?.status == 200 }
        guard ok else { throw MMPError(.timeout, "\(path) did not answer 200 within \(timeout)s; the server's log:\n\(output)") }
    }

    public func request(_ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil) throws -> HTTPTestResponse {
        try httpRequest(port: port, method, path, headers: headers, body: body)
    }

    /// What the server wrote so far.
    public var output: String { (try? readFile(log)) ?? "" }

    public func signal(_ sig: Int32) { process.signal(sig) }

    /// SIGTERM, then its exit status (SIGKILL after `grace` seconds).
    @discardableResult
    public func stop(grace: Double = 20) -> Int32 {
        process.stop(grace: grace)
        return process.wait()
    }

    deinit { process.stop(grace: 5) }
}
