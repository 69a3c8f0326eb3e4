#if canImport(Glibc)
import Glibc
#endif
import MMPAdapters
import MMPCore
import MMPLearn
import MMPPostgres

/// Loading a query's result from PostgreSQL into a `Table`: what `mmp train` does with a `.sql`
/// recipe (cursor, binary rows, column builders). Measured in this process: wall time per run
/// and the process's peak resident memory, beside the size of the table built.
public enum PostgresLoadBench {
    public struct Run: Sendable {
        public var seconds: Double
        public var rows: Int
        public var columns: Int
        /// Bytes the table's columns hold (8 per number or time, 4 per category code, plus levels).
        public var tableBytes: Int
        public var chunks: Int
        public var peakChunkBytes: Int
    }

    public static func load(_ options: PostgresConnectionOptions, sql: String, fetchSize: Int) throws -> (Table, Run) {
        let start = Timestamp.monotonic()
        let connection = try PostgresConnection(options)
        defer { connection.close() }
        var builder = PostgresTableBuilder(source: "benchmark")
        let statistics = try connection.stream(PostgresQuery(sql), fetchSize: fetchSize, into: &builder)
        let table = try builder.table()
        let seconds = Timestamp.monotonic() - start
        return (table, Run(seconds: seconds, rows: table.rowCount, columns: table.columns.count, tableBytes: bytes(of: table),
                           chunks: statistics.chunks, peakChunkBytes: statistics.peakChunkBytes))
    }

    static func bytes(of table: Table) -> Int {
        table.columns.reduce(0) { total, column in
            switch column.values {
            case .numeric(let v), .timestamp(let v): return total + v.count * 8
            case .categorical(let codes, let levels): return total + codes.count * 4 + levels.reduce(0) { $0 + $1.utf8.count + 16 }
            }
        }
    }

    /// The process's peak resident set so far, in bytes (Linux reports ru_maxrss in KiB).
    public static func peakRSS() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }
}
