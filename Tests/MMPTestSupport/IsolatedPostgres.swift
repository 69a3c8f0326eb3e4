import Foundation
import MMPCore

/// A PostgreSQL cluster of the test's own, under the test state folder, started and stopped
/// with the same functions scripts/test.sh and scripts/local-dev.sh use (scripts/lib/services.sh).
/// Tests that stop the server (outages) need their own: the shared one serves other suites.
public final class IsolatedPostgres: @unchecked Sendable {
    // Used from one test at a time.
    public let directory: String
    public let port: Int
    public let user = "mmp"
    public let database = "mmp_fleet"
    public let password: String

    public init() throws {
        directory = "\(try TestEnvironment.stateDirectory())/isolated-postgres-\(UInt32.random(in: 0...UInt32.max))"
        port = try freePort()
        password = "fleet-\(UInt64.random(in: 0...UInt64.max))"
        try start()
    }

    /// `mmp_start_postgres`: initdb on first use, then pg_ctl start; creates the role and database.
    public func start() throws {
        try services("mmp_start_postgres '\(directory)' \(port) \(user) '\(password)' \(database)")
    }

    /// `mmp_stop_postgres`: a fast shutdown, which ends every session mid-query.
    public func stop() throws {
        try services("mmp_stop_postgres '\(directory)'")
    }

    /// Runs SQL as the mmp user over TCP with psql.
    public func psql(_ sql: String, directory workingDirectory: String = TestEnvironment.repoRoot) throws {
        let result = try runProcess("/bin/bash", ["-c", "source scripts/lib/services.sh; \"$(mmp_pg_bindir)/psql\" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p \(port) -U \(user) -d \(database)"],
                                    environment: ["PGPASSWORD": password], directory: workingDirectory, stdin: sql)
        guard result.status == 0 else { throw MMPError.io("psql failed: \(result.stderr)") }
    }

    public var endpoint: PostgresEndpoint {
        PostgresEndpoint(host: "127.0.0.1", port: port, user: user, database: database, password: password)
    }

    /// The variables a dev config reads.
    public var environment: [String: String] { endpoint.environment }

    public func remove() {
        try? stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func services(_ command: String) throws {
        let result = try runProcess("/bin/bash", ["-c", "source scripts/lib/services.sh; \(command)"],
                                    directory: TestEnvironment.repoRoot)
        guard result.status == 0 else { throw MMPError.io("\(command) failed: \(result.stderr)") }
    }
}
