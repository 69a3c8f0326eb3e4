#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CLibpq

/// One chunk of a streamed result (a `FETCH` of up to `fetchSize` rows), decoded column by
/// column. Valid only inside `PostgresRowHandler.consume`: the rows live in libpq's memory,
/// which is freed as soon as the handler returns.
public struct PostgresRows {
    let result: OpaquePointer
    public let count: Int
    public let columns: [PostgresColumn]
    /// Binary (the usual case) or text format, chosen per query from the column types.
    public let binary: Bool

    public func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(result, Int32(row), Int32(column)) != 0 }

    /// The column's values as numbers (NaN for NULL): numbers as they are, booleans as 1/0.
    public func appendNumbers(column c: Int, to out: inout [Double]) {
        for r in 0..<count { out.append(number(r, c)) }
    }

    /// The column's dates and times as seconds since the Unix epoch (UTC); NULL and ±infinity
    /// as NaN.
    public func appendSeconds(column c: Int, to out: inout [Double]) {
        for r in 0..<count { out.append(seconds(r, c)) }
    }

    /// Calls `body` with each cell's UTF-8 text (nil for NULL), in row order.
    public func forEachText(column c: Int, _ body: (UnsafeRawBufferPointer?) throws -> Void) rethrows {
        for r in 0..<count { try withText(r, c, body) }
    }

    /// A number cell (or a boolean as 1/0); NaN for NULL.
    @inline(__always)
    public func number(_ row: Int, _ column: Int) -> Double {
        let r = Int32(row), c = Int32(column)
        guard PQgetisnull(result, r, c) == 0, let p = PQgetvalue(result, r, c) else { return .nan }
        let oid = columns[column].typeOID
        if binary { return PostgresBinary.number(UnsafeRawPointer(p), length: Int(PQgetlength(result, r, c)), oid: oid) }
        if oid == PostgresType.bool { return p.pointee == UInt8(ascii: "t") ? 1 : 0 }
        return strtod(p, nil)
    }

    /// A date or time cell as seconds since the epoch; NaN for NULL and ±infinity.
    @inline(__always)
    public func seconds(_ row: Int, _ column: Int) -> Double {
        let r = Int32(row), c = Int32(column)
        guard PQgetisnull(result, r, c) == 0, let p = PQgetvalue(result, r, c) else { return .nan }
        return binary ? PostgresBinary.seconds(UnsafeRawPointer(p), oid: columns[column].typeOID) : PostgresText.seconds(p)
    }

    /// Calls `body` with a text cell's UTF-8 bytes (nil for NULL).
    @inline(__always)
    public func withText<R>(_ row: Int, _ column: Int, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        let r = Int32(row), c = Int32(column)
        guard PQgetisnull(result, r, c) == 0, let p = PQgetvalue(result, r, c) else { return try body(nil) }
        let length = Int(PQgetlength(result, r, c))
        if binary, columns[column].typeOID == PostgresType.uuid, length == 16 {
            var text = PostgresBinary.uuidText(UnsafeRawPointer(p))
            return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        }
        return try body(UnsafeRawBufferPointer(start: UnsafeRawPointer(p), count: length))
    }

    /// Any cell as text (nil for NULL), the same in binary and text format: numbers without a
    /// needless fraction (`42`, `0.5`), booleans as `true`/`false`, dates and times in UTC as
    /// `2024-05-01 12:30:00+00`, everything else as the server wrote it.
    public func text(_ row: Int, _ column: Int) -> String? {
        guard !isNull(row, column) else { return nil }
        switch columns[column].kind {
        case .text: return withText(row, column) { $0.map { String(decoding: $0, as: UTF8.self) } }
        case .boolean: return number(row, column) == 1 ? "true" : "false"
        case .number: return PostgresText.format(number(row, column))
        case .date, .timestamp: return PostgresText.iso8601(seconds(row, column))
        }
    }
}

/// Streamed rows go to a handler, one chunk at a time.
public protocol PostgresRowHandler {
    /// Called once, before any rows, with the result's columns (also for an empty result).
    mutating func begin(_ columns: [PostgresColumn]) throws
    /// Called for each chunk; the rows must be copied out before returning.
    mutating func consume(_ rows: PostgresRows) throws
}
