import MMPCore

/// Reads CSV text (RFC 4180) into a `Table`.
///
/// The first record is the header. Fields may be quoted, with `""` for a quote inside and line
/// breaks allowed inside quotes. A column is numeric when every present value is a number,
/// timestamp when every one is an ISO date or date-time, categorical otherwise (kept as
/// dictionary codes: one string per distinct value). Empty, `NA`, `N/A`, `NaN`, `nan`, `null`
/// and `NULL` are missing. A record with the wrong number of fields or an unterminated quote is
/// an error naming its line.
///
/// How it is fast (docs/performance.md): the input is read in blocks of a few MiB that end at
/// record boundaries; each block is cut into parts at line feeds outside quotes and the parts
/// are parsed on all cores; numbers go from bytes to doubles without a `String`. Column types
/// come from a sample (the first rows); a column whose later rows do not fit its sampled type
/// is dropped and re-read as text at the end, so the answer is the same as reading every row
/// first. Peak memory is the table plus one block and the parts' buffers.
public struct CSVReader {
    public static let missingMarkers: Set<String> = ["", "NA", "N/A", "NaN", "nan", "null", "NULL"]

    public var source: String
    /// Columns whose type is forced (e.g. an ID that looks numeric but must stay text).
    public var forcedKinds: [String: ColumnKind]
    /// Threads that parse (the caller's included).
    public var threads: Int
    /// Bytes per block; each block is parsed in parallel parts.
    public var blockSize = 8 << 20
    /// Rows (and bytes) the column types are inferred from.
    var sampleRows = 2_000
    var sampleBytes = 1 << 20

    public init(source: String = "CSV", forcedKinds: [String: ColumnKind] = [:], threads: Int = CPUInfo.availableCores) {
        self.source = source
        self.forcedKinds = forcedKinds
        self.threads = max(1, threads)
    }

    public func read(_ text: String) throws -> Table { try read(bytes: Array(text.utf8)) }

    public func read(bytes: [UInt8]) throws -> Table {
        try bytes.withUnsafeBufferPointer { buffer in
            try read { offset in CSVMemoryBlocks(buffer, from: offset, blockSize: blockSize) }
        }
    }

    /// Reads blocks from any source: `open(offset)` gives the input's blocks from a byte offset
    /// (0, or after the header for the re-read of columns that fell back). Files: `read(path:)`
    /// in MMPAdapters.
    public func read(_ open: (Int) throws -> any CSVBlockSource) throws -> Table {
        let blocks = try open(0)
        guard let first = try blocks.nextBlock() else { throw emptyFile() }
        let head = try CSVHeader.read(first, source: source, rows: sampleRows, bytes: sampleBytes)
        let columns = head.names.map { name in
            CSVColumnAccumulator(name: name, plan: head.plan(for: name, forced: forcedKinds[name]), forced: forcedKinds[name])
        }
        if let total = blocks.totalBytes, let rows = head.estimatedRows(totalBytes: total) {
            for column in columns { column.reserve(rows: rows) }
        }
        let pool = threads > 1 && (blocks.totalBytes ?? .max) > 1 << 20 ? WorkerPool(threads: threads) : nil
        var run = CSVBlockRun(source: source, columns: columns, forcedKinds: forcedKinds, pool: pool)

        // First pass: every column as sampled.
        var line = head.firstDataLine
        line += try run.parse(UnsafeBufferPointer(rebasing: first[head.dataStart...]), startLine: line, plans: columns.map(\.plan))
        while let block = try blocks.nextBlock() {
            line += try run.parse(block, startLine: line, plans: columns.map(\.plan))
        }

        // Second pass, only for the columns whose sample lied: read them again as text.
        let rereads = columns.filter(\.fellBack)
        if !rereads.isEmpty {
            for column in rereads { column.reread() }
            let plans = columns.map { $0.fellBack ? CSVColumnPlan.text : .skip }
            let again = try open(head.dataStart)
            line = head.firstDataLine
            while let block = try again.nextBlock() {
                line += try run.parse(block, startLine: line, plans: plans, only: columns.map(\.fellBack))
            }
        }
        return try Table(columns: columns.map { $0.column() })
    }

    private func emptyFile() -> MMPError { MMPError.invalidData("\(source): empty file; expected a header row") }
}
