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

/// Parses blocks into the columns: cuts each block into parts, parses them on the pool, then
/// appends them in order (reporting the first error by line).
struct CSVBlockRun {
    let source: String
    let columns: [CSVColumnAccumulator]
    let forcedKinds: [String: ColumnKind]
    let pool: WorkerPool?
    private var outputs: [CSVPartOutput] = []

    init(source: String, columns: [CSVColumnAccumulator], forcedKinds: [String: ColumnKind], pool: WorkerPool?) {
        self.source = source; self.columns = columns; self.forcedKinds = forcedKinds; self.pool = pool
    }

    /// Returns the lines the block held. `only` limits which columns receive values.
    mutating func parse(_ block: UnsafeBufferPointer<UInt8>, startLine: Int, plans: [CSVColumnPlan], only: [Bool]? = nil) throws -> Int {
        guard block.count > 0 else { return 0 }
        let parts = pool.map { block.count >= 1 << 16 ? $0.width * 2 : 1 } ?? 1
        let ranges = CSVBoundaries.split(block, from: 0, to: block.count, parts: parts)
        while outputs.count < ranges.count { outputs.append(CSVPartOutput(columns: columns.count)) }
        let parser = CSVPartParser(plans: plans)
        let outputs = self.outputs
        if let pool, ranges.count > 1 {
            pool.run(tasks: ranges.count) { task, _ in
                parser.parse(UnsafeBufferPointer(rebasing: block[ranges[task]]), into: outputs[task])
            }
        } else {
            for (k, range) in ranges.enumerated() { parser.parse(UnsafeBufferPointer(rebasing: block[range]), into: outputs[k]) }
        }
        // Errors and fallbacks first, part by part (the first problem by line wins)...
        var line = startLine
        for k in ranges.indices {
            let out = outputs[k]
            // A column forced numeric that holds text is an error; report whichever problem comes first.
            let forcedText = out.fallbacks.first { forcedKinds[columns[$0.column].name] == .numeric && plans[$0.column] == .numeric }
            if let forcedText, forcedText.line <= out.error?.line ?? .max {
                throw MMPError.invalidData("\(source): line \(line + forcedText.line): column '\(columns[forcedText.column].name)' must be numeric but holds text ('\(forcedText.text)')")
            }
            if let error = out.error {
                throw MMPError.invalidData("\(source): line \(line + error.line): \(error.message)")
            }
            for fallback in out.fallbacks where columns[fallback.column].plan != .skip {
                columns[fallback.column].fallBack()
            }
            line += out.lines
        }
        // ...then the values, column by column on the pool (each column takes its parts in order).
        let receiving = only ?? Array(repeating: true, count: columns.count)
        let partCount = ranges.count
        if let pool, columns.count > 1 {
            let columns = self.columns
            pool.run(tasks: columns.count) { c, _ in
                if receiving[c] { CSVBlockRun.merge(columns[c], column: c, outputs, parts: partCount) }
            }
        } else {
            for c in columns.indices where receiving[c] { CSVBlockRun.merge(columns[c], column: c, outputs, parts: partCount) }
        }
        return line - startLine
    }

    private static func merge(_ column: CSVColumnAccumulator, column c: Int, _ outputs: [CSVPartOutput], parts: Int) {
        for k in 0..<parts { column.append(outputs[k], column: c) }
    }
}
