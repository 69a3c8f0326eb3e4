import MMPCore

/// How the reader stores one column while it parses.
enum CSVColumnPlan: Sendable, Equatable {
    /// Doubles (NaN when missing); a field that is not a number makes the column fall back.
    case numeric
    /// Seconds since the epoch; a field that is not a date or date-time makes it fall back.
    case timestamp
    /// Dictionary codes; never falls back.
    case text
    /// Not stored (a re-read of only the columns that fell back).
    case skip
}

/// A column whose sampled type was wrong: the first field that did not fit.
struct CSVFallback: Sendable {
    var column: Int
    /// Line of the record, relative to where the part started (0 = its first line).
    var line: Int
    var text: String
}

/// A parse error at a line relative to where the part (or buffer) started.
struct CSVParseError: Error {
    var line: Int
    var message: String
}

/// The per-field decisions the fast and the careful path share: what is missing, what is a number.
enum CSVFieldValues {
    /// Empty, or (at most four bytes, whitespace around allowed) one of `CSVReader.missingMarkers`.
    @inline(__always)
    static func isMissing(_ p: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        if length == 0 { return true }
        if length > 4 { return false }
        var start = p, end = p + length
        if (0..<length).contains(where: { p[$0] >= 0x80 }) {
            // Unicode whitespace around a marker: trimmed the way the reader always has.
            return CSVReader.missingMarkers.contains(String(decoding: UnsafeBufferPointer(start: p, count: length), as: UTF8.self).trimmed())
        }
        while start < end, CSVNumber.isASCIIWhitespace(start.pointee) { start += 1 }
        while end > start, CSVNumber.isASCIIWhitespace((end - 1).pointee) { end -= 1 }
        switch end - start {
        case 0: return true
        case 2: return start[0] == UInt8(ascii: "N") && start[1] == UInt8(ascii: "A")
        case 3:
            let a = start[0], b = start[1], c = start[2]
            return (a == UInt8(ascii: "N") && b == UInt8(ascii: "/") && c == UInt8(ascii: "A"))
                || (a == UInt8(ascii: "N") && b == UInt8(ascii: "a") && c == UInt8(ascii: "N"))
                || (a == UInt8(ascii: "n") && b == UInt8(ascii: "a") && c == UInt8(ascii: "n"))
        case 4:
            let word = UnsafeRawPointer(start).loadUnaligned(as: UInt32.self)
            return word == CSVFieldValues.null || word == CSVFieldValues.nullUpper
        default: return false
        }
    }

    private static let null = UInt32(littleEndian: 0x6C6C_756E)  // "null"
    private static let nullUpper = UInt32(littleEndian: 0x4C4C_554E)  // "NULL"

    /// A timestamp field (whitespace around allowed), or nil.
    static func timestamp(_ p: UnsafePointer<UInt8>, _ length: Int) -> Double? {
        Timestamp.parse(String(decoding: UnsafeBufferPointer(start: p, count: length), as: UTF8.self).trimmed())
    }
}
