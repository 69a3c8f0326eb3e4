import Foundation
import MMPAdapters
import MMPCore
import MMPLearn
import MMPPostgres
import MMPTestSupport
import Testing

@Suite("PostgreSQL statement errors")
struct StatementErrorTests {
    @Test("a syntax error names the file, line and column, quotes the line, and is permanent")
    func syntaxErrorPosition() throws {
        let sql = """
            SELECT n AS id,
                   n * 2 AS doubled
            FROM generate_series(1, 10) AS n WHER n > 1
            """
        let error = try #require(caught { _ = try loader().load(LoadRequest(sourceURI: "sql/broken.sql", sqlText: sql)) })
        #expect(error.kind == .sql)
        #expect(!error.isRetryable)
        #expect(error.message.contains("in sql/broken.sql at line 3, column 34 (character 74)"))
        #expect(error.message.contains("syntax error at or near \"WHER\""))
        #expect(error.message.contains("SQLSTATE 42601"))
        #expect(error.message.contains("FROM generate_series(1, 10) AS n WHER n > 1\n" + String(repeating: " ", count: 4 + 33) + "^"))
    }

    @Test("positions point into the SQL as written, before :name parameters became $n")
    func positionAfterParameters() throws {
        let sql = "SELECT * FROM generate_series(1, 3) g WHERE g > :a_rather_long_parameter_name AND g <> :other ORDER BY nope"
        let error = try #require(caught {
            _ = try loader().load(LoadRequest(sourceURI: "q.sql", sqlText: sql,
                                              parameters: JSONObject([("a_rather_long_parameter_name", 1), ("other", 2)])))
        })
        #expect(error.kind == .sql)
        let column = sql.distance(from: sql.startIndex, to: sql.range(of: "nope")!.lowerBound) + 1
        #expect(error.message.contains("line 1, column \(column)"))
        #expect(error.message.contains("column \"nope\" does not exist"))
    }

    @Test("an unknown table is a permanent SQL error with the server's message")
    func unknownTable() throws {
        let error = try #require(caught { _ = try loader().load(LoadRequest(sourceURI: "q.sql", sqlText: "SELECT * FROM no_such_table_xyz")) })
        #expect(error.kind == .sql)
        #expect(error.message.contains("relation \"no_such_table_xyz\" does not exist"))
        #expect(error.message.contains("SQLSTATE 42P01"))
    }

    @Test("an error in the middle of the rows (after chunks arrived) is reported, not a partial table")
    func errorMidStream() throws {
        let sql = "SELECT n, 1.0 / (n - 2500) AS r FROM generate_series(0, 5000) n ORDER BY n"
        var options = try TestDatabase.options()
        options.statementTimeout = 30
        let error = try #require(caught {
            _ = try PostgresLoader(options: options, fetchSize: 500).load(LoadRequest(sourceURI: "q.sql", sqlText: sql))
        })
        #expect(error.kind == .sql)
        #expect(error.message.contains("division by zero"))
    }

    @Test("the statement timeout from the config cancels a slow query as a retryable timeout")
    func statementTimeout() throws {
        let config = try TestDatabase.config(adapters: [("statement_timeout", "300ms")])
        let loader = try AdapterRegistry.standard.loader(for: config)
        let error = try #require(caught { _ = try loader.load(LoadRequest(sourceURI: "slow.sql", sqlText: "SELECT pg_sleep(5)")) })
        #expect(error.kind == .timeout)
        #expect(error.isRetryable)
        #expect(error.message.contains("statement_timeout"))
        #expect(error.message.contains("slow.sql"))
    }

    @Test("the server terminating the session mid-query is a retryable connection error")
    func serverTerminatesSession() throws {
        let victim = try TestDatabase.connect()
        let pid = try #require(victim.execute("SELECT pg_backend_pid()").scalar)
        let killer = try TestDatabase.connect()
        struct Terminating: PostgresRowHandler {
            let killer: PostgresConnection
            let pid: String
            var chunks = 0
            mutating func begin(_ columns: [PostgresColumn]) throws {}
            mutating func consume(_ rows: PostgresRows) throws {
                chunks += 1
                if chunks == 1 { try killer.execute(PostgresQuery("SELECT pg_terminate_backend($1::int)", parameters: [pid])) }
            }
        }
        var handler = Terminating(killer: killer, pid: pid)
        let error = try #require(caught {
            try victim.stream(PostgresQuery("SELECT n FROM generate_series(1, 100000) n"), fetchSize: 100, into: &handler)
        })
        // The chunk fetched ahead while the first was decoded may still arrive; nothing after it.
        #expect(handler.chunks <= 2)
        #expect(error.kind == .connection)
        #expect(error.isRetryable)
        #expect(error.message.contains("PostgreSQL at"))
        #expect(!victim.isOpen)
    }

    func loader() throws -> PostgresLoader { PostgresLoader(options: try TestDatabase.options(statementTimeout: 30)) }
}
