import MMPAdapters
import MMPCore
import MMPLearn
import MMPPostgres
import MMPTestSupport
import Testing

/// Batch scoring's sinks: CSV parts and the PostgreSQL table, each written once per shard
/// however often a shard runs; the CSV shard reader against the whole file.
@Suite struct ScoringSinkTests {
    func options() throws -> PostgresConnectionOptions {
        let e = try TestEnvironment.postgres()
        return PostgresConnectionOptions(host: e.host, port: e.port, user: e.user, database: e.database, password: e.password,
                                         connectTimeout: 5, statementTimeout: nil, applicationName: "mmp-tests")
    }

    func scored(_ ids: [String], job: String) throws -> Table {
        try Table(columns: [
            .categorical("customer_id", ids), .numeric("prediction", ids.map { _ in 1 }),
            .numeric("probability_1", ids.indices.map { Double($0) / 10 }),
            Column(name: "job_id", values: .categorical(codes: [Int32](repeating: 0, count: ids.count), levels: [job])),
            .timestamp("scored_at", ids.map { _ in 1_765_000_000 }),
        ])
    }

    @Test func aRetriedShardWritesItsRowsToPostgresOnce() throws {
        let table = "scored_\(UInt32.random(in: 0...UInt32.max))"
        let options = try options()
        try ScoredPartWriter.writeTable(try scored(["a", "b", "c"], job: "J1"), table: table, shard: 1, jobID: "J1", options: options)
        // The same shard again (a retry after its worker died between COPY and verdict).
        try ScoredPartWriter.writeTable(try scored(["a", "b", "c"], job: "J1"), table: table, shard: 1, jobID: "J1", options: options)
        try ScoredPartWriter.writeTable(try scored(["d", "e"], job: "J1"), table: table, shard: 2, jobID: "J1", options: options)
        // Another job's shard 1 is its own.
        try ScoredPartWriter.writeTable(try scored(["x"], job: "J2"), table: table, shard: 1, jobID: "J2", options: options)
        let connection = try PostgresConnection(options)
        defer { connection.close() }
        let rows = try connection.execute("SELECT job_id, shard, count(*)::text, min(customer_id) FROM \(table) GROUP BY 1, 2 ORDER BY 1, 2")
        #expect(rows.rows.map { $0.map { $0 ?? "" } } == [["J1", "1", "3", "a"], ["J1", "2", "2", "d"], ["J2", "1", "1", "x"]])
        let types = try connection.execute("SELECT data_type FROM information_schema.columns WHERE table_name = '\(table)' ORDER BY ordinal_position")
        #expect(types.rows.compactMap { $0.first ?? nil } == ["text", "double precision", "double precision", "text", "timestamp with time zone", "integer"])
        _ = try connection.execute("DROP TABLE \(table)")
    }

    @Test func csvShardsCoverEveryRowOnceAtLineBoundaries() throws {
        let folder = try TestEnvironment.temporaryDirectory("shards")
        let path = "\(folder)/rows.csv"
        var text = "id,x,label\n"
        for i in 0..<5000 { text += "r\(i),\(Double(i) * 0.5),\(i % 3 == 0 ? "\"a, b\"" : "c")\n" }
        try writeFile(path, text)
        let whole = try CSVReader(source: path).read(path: path)
        for shards in [1, 3, 7, 64] {
            let plan = try CSVShards.plan(path: path, shards: shards, shardRows: nil)
            #expect(plan.ranges.count == shards)
            #expect(zip(plan.ranges, plan.ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            var ids: [String] = []
            for range in plan.ranges {
                let part = try CSVReader(source: path).read(path: path, header: plan.header, range: range)
                #expect(part.columnNames == ["id", "x", "label"])
                ids += (0..<part.rowCount).map { part.column("id")!.text(at: $0) }
            }
            #expect(ids == (0..<whole.rowCount).map { whole.column("id")!.text(at: $0) })
        }
        let byRows = try CSVShards.plan(path: path, shards: nil, shardRows: 1000)
        #expect((4...6).contains(byRows.ranges.count) && abs(byRows.estimatedRows - 5000) < 250)
    }
}
