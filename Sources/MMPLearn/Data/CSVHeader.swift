import MMPCore

/// The header of a CSV and the column types inferred from its first rows.
struct CSVHeader {
    var names: [String]
    /// Where the rows start in the first block (after a byte-order mark and the header), and the
    /// line the first of them is on.
    var dataStart: Int
    var firstDataLine: Int
    /// Per column: every present sampled value is a number / a timestamp; any value present.
    var allNumbers: [Bool]
    var allTimestamps: [Bool]
    var anyPresent: [Bool]
    var sampledRows = 0
    var sampledBytes = 0

    /// Reads the header and samples up to `rows` records or `bytes` bytes after it. An error in
    /// the sample ends it quietly: the full parse reports it with its line.
    static func read(_ block: UnsafeBufferPointer<UInt8>, source: String, rows: Int = 2_000, bytes: Int = 1 << 20) throws -> CSVHeader {
        var start = 0
        if block.count >= 3, block[0] == 0xEF, block[1] == 0xBB, block[2] == 0xBF { start = 3 }
        var tokenizer = CSVRecordTokenizer(block, position: start, line: 1)
        var fields: [CSVRecordTokenizer.Field] = []
        var names: [String] = []
        while !tokenizer.atEnd {
            let recordLine: Int
            do {
                recordLine = try tokenizer.next(into: &fields)
            } catch let error as CSVParseError {
                throw MMPError.invalidData("\(source): line \(error.line): \(error.message)")
            }
            if CSVRecordTokenizer.isBlank(fields) { continue }
            names = fields.map { tokenizer.text($0).trimmed() }
            for (k, name) in names.enumerated() where name.isEmpty { names[k] = "column_\(k + 1)" }
            var seen = Set<String>()
            for name in names where !seen.insert(name).inserted {
                throw MMPError.invalidData("\(source): line \(recordLine): the header names column '\(name)' twice")
            }
            break
        }
        guard !names.isEmpty else { throw MMPError.invalidData("\(source): empty file; expected a header row") }
        var header = CSVHeader(names: names, dataStart: tokenizer.position, firstDataLine: tokenizer.line,
                               allNumbers: Array(repeating: true, count: names.count),
                               allTimestamps: Array(repeating: true, count: names.count),
                               anyPresent: Array(repeating: false, count: names.count))
        header.sample(&tokenizer, rows: rows, bytes: bytes)
        return header
    }

    private mutating func sample(_ tokenizer: inout CSVRecordTokenizer, rows: Int, bytes: Int) {
        var fields: [CSVRecordTokenizer.Field] = []
        let limit = bytes >= Int.max - dataStart ? Int.max : dataStart + bytes
        while !tokenizer.atEnd, sampledRows < rows, tokenizer.position < limit {
            guard (try? tokenizer.next(into: &fields)) != nil else { break }
            if CSVRecordTokenizer.isBlank(fields) { continue }
            guard fields.count == names.count else { break }
            for (c, field) in fields.enumerated() {
                if field.unescaped == nil, CSVFieldValues.isMissing(tokenizer.buffer.baseAddress! + field.start, field.length) { continue }
                anyPresent[c] = true
                guard allNumbers[c] || allTimestamps[c] else { continue }
                let checkTime = allTimestamps[c]
                var escaped = field.unescaped
                let (number, time) = escaped != nil
                    ? escaped!.withUTF8 { CSVHeader.classify($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count, checkTime: checkTime) }
                    : CSVHeader.classify(tokenizer.buffer.baseAddress! + field.start, field.length, checkTime: checkTime)
                if number {
                    allTimestamps[c] = false  // a number is never a date
                } else {
                    allNumbers[c] = false
                    if !time { allTimestamps[c] = false }
                }
            }
            sampledRows += 1
        }
        sampledBytes = tokenizer.position - dataStart
    }

    /// Whether a present value is a number, and (when asked) a timestamp.
    private static func classify(_ p: UnsafePointer<UInt8>, _ count: Int, checkTime: Bool) -> (Bool, Bool) {
        if CSVNumber.parseField(p, count: count) != nil { return (true, false) }
        return (false, checkTime && CSVFieldValues.timestamp(p, count) != nil)
    }

    /// The plan for a column: its forced type, else numeric when every sampled value is a number
    /// (or none is present), timestamp when every one is a timestamp, text otherwise.
    func plan(for name: String, forced: ColumnKind?) -> CSVColumnPlan {
        switch forced {
        case .numeric: return .numeric
        case .timestamp: return .timestamp
        case .categorical: return .text
        case nil:
            let c = names.firstIndex(of: name)!
            if allNumbers[c] { return .numeric }
            if allTimestamps[c], anyPresent[c] { return .timestamp }
            return .text
        }
    }

    /// Rows the input probably holds, from the sample's bytes per row (a little over, so the
    /// columns are allocated once).
    func estimatedRows(totalBytes: Int) -> Int? {
        guard sampledRows > 0, sampledBytes > 0 else { return nil }
        let perRow = Double(sampledBytes) / Double(sampledRows)
        return Int(Double(max(0, totalBytes - dataStart)) / perRow * 1.03) + 16
    }
}
