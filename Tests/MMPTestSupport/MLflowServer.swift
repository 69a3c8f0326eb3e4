#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MMPCore

/// The MLflow tracking server scripts/test.d/50-mlflow.sh started, and MLflow's own Python client
/// from the same virtualenv.
public struct MLflowEndpoint: Sendable {
    /// `http://127.0.0.1:<port>`.
    public var uri: String
    /// The virtualenv's python (has `mlflow` installed).
    public var python: String

    /// Runs a Python script with MLflow's client pointed at this server; its stdout.
    public func runPython(_ script: String, environment: [String: String] = [:]) throws -> String {
        let result = try runProcess(python, ["-c", script],
                                    environment: environment.merging(["MLFLOW_TRACKING_URI": uri, "PYTHONWARNINGS": "ignore"]) { $1 },
                                    directory: NSTemporaryDirectory())
        guard result.status == 0 else {
            throw MMPError(.internal, "python with MLflow's client failed (\(result.status)):\n\(result.stderr.suffix(3000))")
        }
        return result.stdout
    }

    /// Runs a script that prints one JSON document as its last line; that document.
    public func pythonJSON(_ script: String, environment: [String: String] = [:]) throws -> JSON {
        let out = try runPython(script, environment: environment)
        guard let last = out.split(separator: "\n").last else { throw MMPError(.internal, "the script printed nothing") }
        return try JSON.parse(String(last))
    }
}

extension TestEnvironment {
    /// The shared MLflow server: `MMP_TEST_MLFLOW_URI` and `MMP_TEST_MLFLOW_PYTHON`.
    public static func mlflow() throws -> MLflowEndpoint {
        MLflowEndpoint(uri: try required("MMP_TEST_MLFLOW_URI", for: "an MLflow server (scripts/test.d/50-mlflow.sh)"),
                       python: try required("MMP_TEST_MLFLOW_PYTHON", for: "an MLflow server (scripts/test.d/50-mlflow.sh)"))
    }
}

/// An MLflow server of a test's own (same settings as scripts/lib/services.sh's
/// `mmp_start_mlflow`, which starts it), so a test can kill and restart it without pulling the
/// shared one from under other suites. Its data survives a restart (same SQLite file and folder).
public final class OwnMLflow: @unchecked Sendable {
    // Used from one test at a time.
    public let port: Int
    public let directory: String
    private let venv: String
    private let arguments: [String]
    private let environment: [String: String]
    private var pidFile: String { "\(directory)/mlflow.pid" }

    /// - Parameters:
    ///   - arguments: more `mlflow server` arguments (`--app-name basic-auth`).
    ///   - environment: more variables for the server (`MLFLOW_AUTH_ADMIN_PASSWORD`).
    public init(arguments: [String] = [], environment: [String: String] = [:]) throws {
        port = try freePort()
        directory = "\(try TestEnvironment.stateDirectory())/own-mlflow-\(port)"
        venv = try TestEnvironment.required("MMP_TEST_MLFLOW_VENV", for: "an MLflow server (scripts/test.d/50-mlflow.sh)")
        self.arguments = arguments
        self.environment = environment
        try start()
    }

    public var endpoint: MLflowEndpoint { MLflowEndpoint(uri: "http://127.0.0.1:\(port)", python: "\(venv)/bin/python") }

    /// Starts (or restarts) the server and waits until it answers.
    public func start() throws {
        let script = "source scripts/lib/services.sh && mmp_start_mlflow_at \"$@\""
        let result = try runProcess("/bin/bash", ["-c", script, "bash", venv, directory, String(port), pidFile, "\(directory)/artifacts"] + arguments,
                                    environment: environment)
        guard result.status == 0 else { throw MMPError(.connection, "own mlflow server on \(port) did not start: \(result.stderr)") }
    }

    /// SIGKILL to the server and its workers: no chance to finish anything.
    public func kill() {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = pid_t(text.trimmed()) else { return }
        _ = Glibc.kill(-pid, SIGKILL)
        _ = Glibc.kill(pid, SIGKILL)
        // The port must be free again before a restart; wait until nothing answers.
        _ = waitUntil(10) { !OwnMLflow.answers(port: self.port) }
        try? FileManager.default.removeItem(atPath: pidFile)
    }

    static func answers(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    deinit { kill() }
}
