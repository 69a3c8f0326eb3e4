import ArgumentParser
import MMPBenchmarks
import MMPCore
import MMPPostgres

/// `mmp-bench postgres`: loads a query's rows into a table and prints one JSON line per run.
/// Benchmarks/postgres/run.sh runs it beside `psql \copy` and pandas `read_sql` on the same query.
struct PostgresBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres",
        abstract: "Load a PostgreSQL query into a table: time and peak memory (see Benchmarks/postgres/run.sh)."
    )

    @Option(help: "Server host.") var host = "127.0.0.1"
    @Option(help: "Server port.") var port = 5432
    @Option(help: "User (the password comes from POSTGRES_PASSWORD).") var user = "mmp"
    @Option(help: "Database.") var database = "mmp"
    @Option(help: "The query to load.") var query = "SELECT * FROM bench.wide"
    @Option(help: "Rows per FETCH.") var fetchSize = 10_000
    @Option(name: .customLong("repeat"), help: "Runs (each prints a JSON line).") var runs = 1

    func run() throws {
        let options = PostgresConnectionOptions(host: host, port: port, user: user, database: database,
                                                password: ProcessEnvironment.current()["POSTGRES_PASSWORD"])
        let baseline = PostgresLoadBench.peakRSS()
        for i in 0..<runs {
            let (table, run) = try PostgresLoadBench.load(options, sql: query, fetchSize: fetchSize)
            let line = JSON.object(JSONObject([
                ("run", .int(i + 1)), ("seconds", .double(run.seconds)), ("rows", .int(run.rows)), ("columns", .int(run.columns)),
                ("table_mb", .double(Double(run.tableBytes) / 1e6)),
                ("peak_rss_mb", .double(Double(PostgresLoadBench.peakRSS()) / 1e6)),
                ("baseline_rss_mb", .double(Double(baseline) / 1e6)),
                ("chunks", .int(run.chunks)), ("peak_chunk_kb", .double(Double(run.peakChunkBytes) / 1e3)),
            ]))
            print(line.serialized())
            _ = table.rowCount  // keep the table alive until measured
        }
    }
}
