import MMPAdapters
import MMPCore
import MMPLearn
import MMPPostgres
import MMPTestSupport
import Testing

@Suite("Streaming large results")
struct StreamingTests {
    @Test("300,000 rows arrive in fetch-size chunks; libpq never holds more than one chunk")
    func chunked() throws {
        let connection = try TestDatabase.connect()
        var builder = PostgresTableBuilder(source: "generated")
        let statistics = try connection.stream(
            PostgresQuery("SELECT n AS id, n * 0.5::float8 AS half, 'k' || (n % 7) AS key FROM generate_series(1, 300000) n ORDER BY n"),
            fetchSize: 2_000, into: &builder)
        let table = try builder.table()

        #expect(statistics.rows == 300_000)
        #expect(statistics.chunks == 150)
        // The table's numeric columns alone take 4.8 MB; the largest libpq buffer must be a
        // chunk (2,000 rows), not the result.
        #expect(statistics.peakChunkBytes > 0)
        #expect(statistics.peakChunkBytes < 600_000)
        #expect(table.rowCount == 300_000)
        let ids = try #require(table.column("id")?.doubles)
        #expect(ids.first == 1 && ids.last == 300_000)
        #expect(ids.reduce(0, +) == 300_000 * 300_001 / 2)
        let half = try #require(table.column("half")?.doubles)
        #expect(half[999] == 500)
        guard case .categorical(_, let levels)? = table.column("key")?.values else { Issue.record("key is not categorical"); return }
        #expect(levels.count == 7)
    }

    @Test("the loader streams with the configured fetch size")
    func loaderFetchSize() throws {
        let config = try TestDatabase.config(adapters: [("fetch_size", 1_000)])
        let loader = try #require(try AdapterRegistry.standard.loader(for: config) as? PostgresLoader)
        #expect(loader.fetchSize == 1_000)
        let table = try loader.load(LoadRequest(sourceURI: "n.sql", sqlText: "SELECT n FROM generate_series(1, 2500) n;"))
        #expect(table.rowCount == 2_500)
    }

    @Test("the loader's transaction is read-only: a SQL file cannot change data")
    func readOnly() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript("CREATE TABLE \(schema).kept (id int); INSERT INTO \(schema).kept VALUES (1);")
            let error = try #require(caught {
                _ = try PostgresLoader(options: try TestDatabase.options()).load(LoadRequest(
                    sourceURI: "w.sql", sqlText: "WITH gone AS (DELETE FROM \(schema).kept RETURNING id) SELECT * FROM gone"))
            })
            #expect(error.kind == .sql)
            #expect(try connection.execute("SELECT count(*) FROM \(schema).kept").scalar == "1")
        }
    }
}
