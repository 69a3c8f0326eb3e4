import Foundation
import MMPCore

/// A PostgreSQL cluster of the test's own, under the test state folder, started and stopped
/// with the same functions scripts/test.sh and scripts/local-dev.sh use (scripts/lib/services.sh).
/// Tests that stop the server (outages) need their own: the shared one serves other suites.
final class IsolatedPostgres: @unchecked Sendable {
    let directory: String
    let port: Int
    let user = "mmp"
    let database = "mmp_fleet"
    let password: String

    init() throws {
        let env = ProcessInfo.processInfo.environment
        guard let state = env["MMP_TEST_STATE_DIR"] else {
            throw MMPError(.invalidConfig, "MMP_TEST_STATE_DIR is not set: run the tests through scripts/test.sh")
        }
        directory = "\(state)/isolated-postgres-\(UInt32.random(in: 0...UInt32.max))"
        port = try freePort()
        password = "fleet-\(UInt64.random(in: 0...UInt64.max))"
        try start()
    }

    /// `mmp_start_postgres`: initdb on first use, then pg_ctl start; creates the role and database.
    func start() throws {
        try services("mmp_start_postgres '\(directory)' \(port) \(user) '\(password)' \(database)")
    }

    /// `mmp_stop_postgres`: a fast shutdown, which ends every session mid-query.
    func stop() throws {
        try services("mmp_stop_postgres '\(directory)'")
    }

    /// Runs SQL as the mmp user over TCP with psql.
    func psql(_ sql: String, directory workingDirectory: String = repoRoot) throws {
        let result = try runProcess("/bin/bash", ["-c", "source scripts/lib/services.sh; \"$(mmp_pg_bindir)/psql\" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p \(port) -U \(user) -d \(database)"],
                                    environment: ["PGPASSWORD": password], directory: workingDirectory, stdin: sql)
        guard result.status == 0 else { throw MMPError.io("psql failed: \(result.stderr)") }
    }

    /// The variables a dev config reads.
    var environment: [String: String] {
        ["POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": String(port), "POSTGRES_USER": user, "POSTGRES_DB": database,
         "POSTGRES_PASSWORD": password]
    }

    func remove() {
        try? stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func services(_ command: String) throws {
        let result = try runProcess("/bin/bash", ["-c", "source scripts/lib/services.sh; \(command)"])
        guard result.status == 0 else { throw MMPError.io("\(command) failed: \(result.stderr)") }
    }
}

func freePort() throws -> Int {
    let result = try runProcess("/usr/bin/env", ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"])
    guard let port = Int(result.stdout.trimmed()) else { throw MMPError.io("no free port: \(result.stderr)") }
    return port
}
