#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// Reads CSV text (RFC 4180) into a `Table`.
///
/// The first record is the header. Fields may be quoted, with `""` for a quote inside and line
/// breaks allowed inside quotes. Each column's type is inferred from all its values: numeric when
/// every present value is a number, timestamp when every one is an ISO date or date-time,
/// categorical otherwise. Empty, `NA`, `N/A`, `NaN`, `nan`, `null` and `NULL` are missing.
/// A record with the wrong number of fields or an unterminated quote is an error naming its line.
public struct CSVReader {
    public static let missingMarkers: Set<String> = ["", "NA", "N/A", "NaN", "nan", "null", "NULL"]

    public var source: String
    /// Columns whose type is forced (e.g. an ID that looks numeric but must stay text).
    public var forcedKinds: [String: ColumnKind]

    public init(source: String = "CSV", forcedKinds: [String: ColumnKind] = [:]) {
        self.source = source
        self.forcedKinds = forcedKinds
    }

    public func read(_ text: String) throws -> Table { try read(bytes: Array(text.utf8)) }

    public func read(bytes: [UInt8]) throws -> Table {
        try bytes.withUnsafeBufferPointer { try parse($0) }
    }

    /// Where each field lies in the input: a span, or an unescaped copy for quoted fields with `""`.
    private struct FieldStore {
        var starts: [Int] = []
        var lengths: [Int32] = []
        var unescaped: [Int: String] = [:]  // key: index into starts
    }

    private func parse(_ buf: UnsafeBufferPointer<UInt8>) throws -> Table {
        var i = 0
        let n = buf.count
        // Skip a UTF-8 byte-order mark.
        if n >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { i = 3 }
        var line = 1
        var header: [String] = []
        var columns: [FieldStore] = []
        var recordFields: [(start: Int, length: Int, unescaped: String?)] = []
        var rowCount = 0

        func fail(_ message: String, _ atLine: Int) -> MMPError {
            .invalidData("\(source): line \(atLine): \(message)")
        }

        while i < n {
            let recordLine = line
            recordFields.removeAll(keepingCapacity: true)
            // Read one record.
            var endOfRecord = false
            while !endOfRecord {
                if i < n, buf[i] == UInt8(ascii: "\"") {
                    i += 1
                    let start = i
                    var hasEscapes = false
                    var closed = false
                    while i < n {
                        let b = buf[i]
                        if b == UInt8(ascii: "\"") {
                            if i + 1 < n, buf[i + 1] == UInt8(ascii: "\"") { hasEscapes = true; i += 2; continue }
                            closed = true
                            break
                        }
                        if b == 0x0A { line += 1 }
                        i += 1
                    }
                    guard closed else { throw fail("a quoted field is never closed (opened here)", recordLine) }
                    let length = i - start
                    i += 1  // closing quote
                    var unescaped: String?
                    if hasEscapes {
                        unescaped = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<start + length]), as: UTF8.self)
                            .replacing("\"\"", with: "\"")
                    }
                    recordFields.append((start, length, unescaped))
                    if i < n, buf[i] != UInt8(ascii: ","), buf[i] != 0x0A, buf[i] != 0x0D {
                        throw fail("unexpected text after a closing quote in field \(recordFields.count)", line)
                    }
                } else {
                    let start = i
                    while i < n, buf[i] != UInt8(ascii: ","), buf[i] != 0x0A, buf[i] != 0x0D {
                        if buf[i] == UInt8(ascii: "\"") { throw fail("a quote inside an unquoted field \(recordFields.count + 1); quote the whole field", line) }
                        i += 1
                    }
                    recordFields.append((start, i - start, nil))
                }
                if i >= n { endOfRecord = true }
                else if buf[i] == UInt8(ascii: ",") { i += 1; if i >= n { recordFields.append((i, 0, nil)); endOfRecord = true } }
                else {
                    if buf[i] == 0x0D { i += 1 }
                    if i < n, buf[i] == 0x0A { i += 1 }
                    line += 1
                    endOfRecord = true
                }
            }
            // A blank line (one empty field) is skipped.
            if recordFields.count == 1, recordFields[0].length == 0, recordFields[0].unescaped == nil { continue }
            if header.isEmpty {
                header = recordFields.map { f in
                    (f.unescaped ?? String(decoding: UnsafeBufferPointer(rebasing: buf[f.start..<f.start + f.length]), as: UTF8.self)).trimmed()
                }
                for (k, name) in header.enumerated() where name.isEmpty { header[k] = "column_\(k + 1)" }
                var seen = Set<String>()
                for name in header where !seen.insert(name).inserted { throw fail("the header names column '\(name)' twice", recordLine) }
                columns = Array(repeating: FieldStore(), count: header.count)
                continue
            }
            guard recordFields.count == header.count else {
                throw fail("expected \(header.count) fields as in the header, found \(recordFields.count)", recordLine)
            }
            for (k, f) in recordFields.enumerated() {
                if let u = f.unescaped { columns[k].unescaped[columns[k].starts.count] = u }
                columns[k].starts.append(f.start)
                columns[k].lengths.append(Int32(f.length))
            }
            rowCount += 1
        }
        guard !header.isEmpty else { throw MMPError.invalidData("\(source): empty file; expected a header row") }

        var result: [Column] = []
        result.reserveCapacity(header.count)
        for (k, name) in header.enumerated() {
            result.append(try buildColumn(name: name, store: columns[k], rows: rowCount, buf: buf))
        }
        return try Table(columns: result)
    }

    private func buildColumn(name: String, store: FieldStore, rows: Int, buf: UnsafeBufferPointer<UInt8>) throws -> Column {
        func text(_ r: Int) -> String {
            if let u = store.unescaped[r] { return u }
            let s = store.starts[r]
            return String(decoding: UnsafeBufferPointer(rebasing: buf[s..<s + Int(store.lengths[r])]), as: UTF8.self)
        }
        func isMissing(_ r: Int) -> Bool {
            let length = Int(store.lengths[r])
            if length == 0, store.unescaped[r] == nil { return true }
            if length > 4 { return false }
            return CSVReader.missingMarkers.contains(text(r).trimmed())
        }
        let forced = forcedKinds[name]
        if forced == nil || forced == .numeric {
            var values = [Double](repeating: .nan, count: rows)
            var numeric = true
            for r in 0..<rows where !isMissing(r) {
                if store.unescaped[r] == nil, let v = CSVReader.parseDouble(buf, store.starts[r], Int(store.lengths[r])) {
                    values[r] = v
                } else if let v = CSVReader.plainNumber(text(r).trimmed()) {
                    values[r] = v
                } else {
                    numeric = false
                    break
                }
            }
            if numeric { return .numeric(name, values) }
            if forced == .numeric { throw MMPError.invalidData("\(source): column '\(name)' must be numeric but holds text") }
        }
        if forced == nil || forced == .timestamp {
            var values = [Double](repeating: .nan, count: rows)
            var allTimes = true
            var any = false
            for r in 0..<rows where !isMissing(r) {
                guard let t = Timestamp.parse(text(r).trimmed()) else { allTimes = false; break }
                values[r] = t
                any = true
            }
            if allTimes, any { return .timestamp(name, values) }
        }
        return .categorical(name, (0..<rows).map { isMissing($0) ? nil : text($0) })
    }

    /// A decimal number as CSV files write them: digits, sign, point, exponent. Swift's
    /// `Double(_:)` also reads "inf", "nan" and hex floats ("0x1A"), which here are text.
    static func plainNumber(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 43 || $0 == 45 || $0 == 46 || $0 == 101 || $0 == 69 }) else {
            return nil
        }
        return Double(text)
    }

    /// strtod on a field without allocating a String; nil unless the whole field is a number.
    static func parseDouble(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> Double? {
        guard length > 0, length < 64 else { return nil }
        // Reject what strtod accepts but a CSV number is not: hex, "inf", "nan", leading '+' alone.
        let first = buf[start]
        guard (first >= 48 && first <= 57) || first == UInt8(ascii: "-") || first == UInt8(ascii: ".") || first == UInt8(ascii: "+") || first == 0x20 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 65) { tmp -> Double? in
            for k in 0..<length {
                let b = buf[start + k]
                if b == UInt8(ascii: "x") || b == UInt8(ascii: "X") || b == UInt8(ascii: "n") || b == UInt8(ascii: "N") || b == UInt8(ascii: "i") || b == UInt8(ascii: "I") { return nil }
                tmp[k] = CChar(bitPattern: b)
            }
            tmp[length] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(tmp.baseAddress!, &end)
            guard let end else { return nil }
            var consumed = end - tmp.baseAddress!
            while consumed < length, tmp[consumed] == 0x20 { consumed += 1 }
            return consumed == length && consumed > 0 ? value : nil
        }
    }
}
