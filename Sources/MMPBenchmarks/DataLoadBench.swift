#if canImport(Glibc)
import Glibc
#endif
import MMPAdapters
import MMPCore
import MMPLearn

/// Loading one data file the way `mmp train`'s load stage does (the `local_files` loader), timed.
/// Benchmarks/data/run.sh runs it beside pandas and pyarrow on the same files.
public enum DataLoadBench {
    public struct Run: Sendable {
        public var seconds: Double
        public var rows: Int
        public var columns: Int
        /// Bytes the table's columns hold (8 per number, 4 per category code, plus the levels).
        public var tableBytes: Int
    }

    public static func load(path: String) throws -> (Table, Run) {
        let loader = LocalFilesLoader(basePath: ".")
        let start = Timestamp.monotonic()
        let table = try loader.load(LoadRequest(sourceURI: path))
        let seconds = Timestamp.monotonic() - start
        return (table, Run(seconds: seconds, rows: table.rowCount, columns: table.columns.count, tableBytes: bytes(of: table)))
    }

    public static func bytes(of table: Table) -> Int {
        table.columns.reduce(0) { total, column in
            switch column.values {
            case .numeric(let v), .timestamp(let v): return total + v.count * 8
            case .categorical(let codes, let levels): return total + codes.count * 4 + levels.reduce(0) { $0 + $1.utf8.count }
            }
        }
    }

    /// The process's peak resident memory so far (bytes).
    public static func peakRSS() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }
}
