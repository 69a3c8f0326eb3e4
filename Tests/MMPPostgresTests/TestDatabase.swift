import Foundation
import MMPAdapters
import MMPConfig
import MMPCore
import MMPPostgres
import MMPTestSupport
import Testing

/// The PostgreSQL server `scripts/test.sh` started (SCRAM password auth over TCP). Tests that
/// need it fail, never skip, when it is not there.
enum TestDatabase {
    static var environment: [String: String] { TestEnvironment.variables }

    static func options(statementTimeout: Double? = nil) throws -> PostgresConnectionOptions {
        let e = try TestEnvironment.postgres()
        return PostgresConnectionOptions(host: e.host, port: e.port, user: e.user, database: e.database, password: e.password,
                                         connectTimeout: 5, statementTimeout: statementTimeout, applicationName: "mmp-tests")
    }

    static var password: String { environment["POSTGRES_PASSWORD"] ?? "" }

    static func connect() throws -> PostgresConnection { try PostgresConnection(try options()) }

    /// A config in code whose `adapters.postgresql` points at the test server, with the password
    /// read through `${POSTGRES_PASSWORD}` as a real config does.
    static func config(extra: [(String, JSON)] = [], adapters: [(String, JSON)] = []) throws -> AppConfig {
        let o = try options()
        var postgres = JSONObject([
            ("host", .string(o.host)), ("port", .int(o.port)), ("user", .string(o.user)), ("database", .string(o.database)),
            ("password", "${POSTGRES_PASSWORD}"), ("statement_timeout", "1m"),
        ])
        for (k, v) in adapters { postgres[k] = v }
        var root = JSONObject([
            ("data_adapters", .object(JSONObject([("loader", "postgresql"), ("storage", "filesystem"), ("feature_store", "postgresql")]))),
            ("adapters", .object(JSONObject([("postgresql", .object(postgres))]))),
        ])
        for (k, v) in extra { root[k] = v }
        return AppConfig(json: .object(root), environment: ProcessEnvironment(environment))
    }

    /// A schema of its own for one test (tests run in parallel), dropped afterwards.
    static func withSchema<T>(_ body: (PostgresConnection, String) throws -> T) throws -> T {
        let connection = try connect()
        defer { connection.close() }
        let schema = "t_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try connection.execute("CREATE SCHEMA \(schema)")
        defer { _ = try? connection.execute("DROP SCHEMA \(schema) CASCADE") }
        return try body(connection, schema)
    }
}
