#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// The cells of prediction rows, one array per column of a `RowSchema` (nil where a row lacks
/// the key), and which rows carried a column the online store provides.
public struct RowCells: Sendable {
    public var rowCount: Int
    /// `values[field][row]`, fields in `RowSchema.fields` order.
    public var values: [[JSON?]]
    /// `(row, column)` for each column from the feature store that a row carried.
    public var fromFeatureStore: [(row: Int, column: String)]

    public init(rowCount: Int, values: [[JSON?]], fromFeatureStore: [(row: Int, column: String)]) {
        self.rowCount = rowCount; self.values = values; self.fromFeatureStore = fromFeatureStore
    }

    /// The cells of rows already parsed into objects.
    public init(_ rows: [JSONObject], schema: RowSchema) {
        rowCount = rows.count
        values = schema.fields.map { field in rows.map { $0[field.name] } }
        fromFeatureStore = rows.enumerated().flatMap { r, row in schema.fromFeatureStore.filter { row[$0] != nil }.map { (r, $0) } }
    }
}

/// Why a body is not prediction rows.
public enum RowDecodingError: Error, Sendable, Equatable {
    /// Not JSON at all (the message names the byte).
    case invalidJSON(String)
    /// `/predict`: the body is not an object.
    case notAnObject
    /// `/predict/batch`: no `samples` list.
    case noSamples
    /// `/predict/batch`: these samples are not objects.
    case samplesNotObjects([Int])
}

/// Reads prediction rows straight from the request's JSON bytes into one array of cells per
/// schema column: no dictionary per row, keys compared as bytes (rows usually repeat one key
/// order, which is tried first), numbers read with strtod in place. It reads JSON exactly as
/// `JSON.parse(bytes:allowingNonFinite: true)` does (the same values, the same refusals) and
/// drops keys the schema does not name; `RowInput` then checks and converts the cells.
public struct RowDecoder: Sendable {
    let names: [[UInt8]]
    let storeNames: [[UInt8]]
    let schema: RowSchema

    public init(schema: RowSchema) {
        self.schema = schema
        names = schema.fields.map { Array($0.name.utf8) }
        storeNames = schema.fromFeatureStore.map { Array($0.utf8) }
    }

    /// `/predict`: one object of column → value.
    public func decodeOne(_ bytes: [UInt8]) throws(RowDecodingError) -> RowCells {
        try bytes.withUnsafeBufferPointer { buffer throws(RowDecodingError) -> RowCells in
            var parser = Parser(bytes: buffer)
            var cells = RowCells(rowCount: 0, values: Array(repeating: [], count: names.count), fromFeatureStore: [])
            do {
                parser.skipWhitespace()
                guard parser.peek == UInt8(ascii: "{") else {
                    _ = try parser.parseValue(depth: 0, keep: false)
                    try parser.end()
                    throw RowDecodingError.notAnObject
                }
                try readRow(&parser, into: &cells)
                try parser.end()
            } catch let error as RowDecodingError {
                throw error
            } catch let error as MMPError {
                throw .invalidJSON(error.message)
            } catch {
                throw .invalidJSON("invalid JSON")
            }
            return cells
        }
    }

    /// `/predict/batch`: `{"samples": [objects], ...}`; other keys are ignored.
    public func decodeBatch(_ bytes: [UInt8]) throws(RowDecodingError) -> RowCells {
        try bytes.withUnsafeBufferPointer { buffer throws(RowDecodingError) -> RowCells in
            var parser = Parser(bytes: buffer)
            var cells = RowCells(rowCount: 0, values: Array(repeating: [], count: names.count), fromFeatureStore: [])
            var sawSamples = false
            var notObjects: [Int] = []
            do {
                parser.skipWhitespace()
                guard parser.peek == UInt8(ascii: "{") else {
                    _ = try parser.parseValue(depth: 0, keep: false)
                    try parser.end()
                    throw RowDecodingError.noSamples
                }
                try parser.forEachMember(depth: 0) { parser, key in
                    guard key == Array("samples".utf8) else { _ = try parser.parseValue(depth: 1, keep: false); return }
                    guard parser.peek == UInt8(ascii: "[") else { _ = try parser.parseValue(depth: 1, keep: false); return }
                    sawSamples = true
                    try parser.forEachElement(depth: 1) { parser, i in
                        if parser.peek == UInt8(ascii: "{") {
                            try readRow(&parser, into: &cells)
                        } else {
                            _ = try parser.parseValue(depth: 2, keep: false)
                            notObjects.append(i)
                        }
                    }
                }
                try parser.end()
            } catch let error as RowDecodingError {
                throw error
            } catch let error as MMPError {
                throw .invalidJSON(error.message)
            } catch {
                throw .invalidJSON("invalid JSON")
            }
            guard sawSamples else { throw .noSamples }
            guard notObjects.isEmpty else { throw .samplesNotObjects(notObjects) }
            return cells
        }
    }

    /// One object: each named key's value into its column, nil for the keys it lacks.
    private func readRow(_ parser: inout Parser, into cells: inout RowCells) throws {
        let row = cells.rowCount
        var seen = [JSON?](repeating: nil, count: names.count)
        var next = 0
        try parser.forEachMember(depth: 1) { parser, key in
            // Rows usually repeat one key order: try the field after the last one first.
            var field = -1
            if next < names.count, names[next] == key { field = next } else if let i = names.firstIndex(of: key) { field = i }
            if field >= 0 {
                seen[field] = try parser.parseValue(depth: 2, keep: true)
                next = field + 1
            } else {
                if let s = storeNames.firstIndex(of: key), !cells.fromFeatureStore.contains(where: { $0.row == row && $0.column == schema.fromFeatureStore[s] }) {
                    cells.fromFeatureStore.append((row, schema.fromFeatureStore[s]))
                }
                _ = try parser.parseValue(depth: 2, keep: false)
            }
        }
        for f in 0..<names.count { cells.values[f].append(seen[f]) }
        cells.rowCount += 1
    }

    /// JSON over a byte buffer, as MMPCore's parser reads it (RFC 8259 plus Python's NaN and
    /// Infinity), with keys handed out as bytes and values built only when asked.
    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        func error(_ message: String) -> MMPError { .invalidInput("invalid JSON at byte \(index): \(message)") }

        mutating func skipWhitespace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        }

        mutating func end() throws {
            skipWhitespace()
            guard index == bytes.count else { throw error("unexpected text after the value") }
        }

        /// Calls `body` with each key (as bytes, unescaped) of the object at `index`, positioned at its value.
        mutating func forEachMember(depth: Int, _ body: (inout Parser, [UInt8]) throws -> Void) throws {
            guard depth < 512 else { throw error("nesting too deep") }
            index += 1
            skipWhitespace()
            if peek == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\"") else { throw error("expected a key") }
                let key = try parseStringBytes()
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                skipWhitespace()
                try body(&self, key)
                skipWhitespace()
                guard let b = peek else { throw error("unterminated object") }
                index += 1
                if b == UInt8(ascii: ",") { continue }
                if b == UInt8(ascii: "}") { return }
                index -= 1
                throw error("expected ',' or '}'")
            }
        }

        /// Calls `body` with each element's position of the array at `index`.
        mutating func forEachElement(depth: Int, _ body: (inout Parser, Int) throws -> Void) throws {
            guard depth < 512 else { throw error("nesting too deep") }
            index += 1
            skipWhitespace()
            if peek == UInt8(ascii: "]") { index += 1; return }
            var i = 0
            while true {
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input") }
                try body(&self, i)
                i += 1
                skipWhitespace()
                guard let b = peek else { throw error("unterminated list") }
                index += 1
                if b == UInt8(ascii: ",") { continue }
                if b == UInt8(ascii: "]") { return }
                index -= 1
                throw error("expected ',' or ']'")
            }
        }

        /// The value at `index`; with `keep: false` only checked and skipped (nil returned).
        mutating func parseValue(depth: Int, keep: Bool) throws -> JSON? {
            guard depth < 512 else { throw error("nesting too deep") }
            guard let b = peek else { throw error("unexpected end of input") }
            switch b {
            case UInt8(ascii: "{"):
                var object = JSONObject()
                try forEachMember(depth: depth) { parser, key in
                    let value = try parser.parseValue(depth: depth + 1, keep: keep)
                    if keep, let value { object[String(decoding: key, as: UTF8.self)] = value }
                }
                return keep ? .object(object) : nil
            case UInt8(ascii: "["):
                var items: [JSON] = []
                try forEachElement(depth: depth) { parser, _ in
                    if let value = try parser.parseValue(depth: depth + 1, keep: keep), keep { items.append(value) }
                }
                return keep ? .array(items) : nil
            case UInt8(ascii: "\""):
                let s = try parseStringBytes()
                return keep ? .string(String(decoding: s, as: UTF8.self)) : nil
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "N"): try expect("NaN"); return .double(.nan)
            case UInt8(ascii: "I"): try expect("Infinity"); return .double(.infinity)
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "I"):
                index += 1
                try expect("Infinity")
                return .double(-.infinity)
            default: return try parseNumber()
            }
        }

        mutating func expect(_ word: StaticString) throws {
            let n = word.utf8CodeUnitCount
            guard index + n <= bytes.count, memcmp(bytes.baseAddress! + index, word.utf8Start, n) == 0 else {
                throw error("expected \(word)")
            }
            index += n
        }

        /// A string's bytes with escapes resolved; `index` at its opening quote.
        mutating func parseStringBytes() throws -> [UInt8] {
            index += 1
            let start = index
            // Fast path: no escape before the closing quote.
            while index < bytes.count {
                let b = bytes[index]
                if b == UInt8(ascii: "\"") {
                    let out = Array(bytes[start..<index])
                    index += 1
                    return out
                }
                if b == UInt8(ascii: "\\") { break }
                if b < 0x20 { throw error("control character in string") }
                index += 1
            }
            var out = Array(bytes[start..<index])
            while index < bytes.count {
                let b = bytes[index]
                if b == UInt8(ascii: "\"") { index += 1; return out }
                if b < 0x20 { throw error("control character in string") }
                guard b == UInt8(ascii: "\\") else { out.append(b); index += 1; continue }
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    // Surrogates as MMPCore's parser takes them: a pair or an error, never U+FFFD.
                    var code = try parseHex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired UTF-16 surrogate \\u\(String(code, radix: 16))")
                        }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else {
                            throw error("UTF-16 surrogate \\u\(String(code, radix: 16)) followed by \\u\(String(low, radix: 16)), not a low surrogate")
                        }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(code) {
                        throw error("unpaired UTF-16 surrogate \\u\(String(code, radix: 16))")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("bad \\u escape") }
                    out += Array(String(scalar).utf8)
                default: throw error("bad escape")
                }
            }
            throw error("unterminated string")
        }

        mutating func parseHex4() throws -> UInt32 {
            guard index + 4 <= bytes.count,
                  let v = UInt32(String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<index + 4]), as: UTF8.self), radix: 16)
            else { throw error("bad \\u escape") }
            index += 4
            return v
        }

        /// A number token as MMPCore's parser reads it: an integer when it is one and fits,
        /// else the correctly rounded double (strtod on the token, as `Double(String)` does).
        mutating func parseNumber() throws -> JSON {
            let start = index
            var isInteger = true
            while index < bytes.count {
                let b = bytes[index]
                if (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") {
                    index += 1
                } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                    isInteger = false
                    index += 1
                } else { break }
            }
            let length = index - start
            guard length > 0 else { throw error("unexpected character") }
            let token = UnsafeBufferPointer(rebasing: bytes[start..<index])
            if isInteger, let i = Self.integer(token) { return .int(i) }
            guard length < 128, let d = Self.strtod(token) else {
                throw error("bad number '\(String(decoding: token, as: UTF8.self))'")
            }
            return .double(d)
        }

        /// `Int(text)`: an optional sign, then digits only, no overflow.
        static func integer(_ token: UnsafeBufferPointer<UInt8>) -> Int? {
            var i = 0
            var negative = false
            if token[0] == UInt8(ascii: "-") || token[0] == UInt8(ascii: "+") { negative = token[0] == UInt8(ascii: "-"); i = 1 }
            guard i < token.count else { return nil }
            var value = 0
            while i < token.count {
                let d = token[i]
                guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = negative ? m.subtractingReportingOverflow(Int(d - 48)) : m.addingReportingOverflow(Int(d - 48))
                if o1 || o2 { return nil }
                value = s
                i += 1
            }
            return value
        }

        /// `Double(text)` for a token of digits, signs, points and exponents: the whole token or nil.
        static func strtod(_ token: UnsafeBufferPointer<UInt8>) -> Double? {
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: token.count + 1) { tmp -> Double? in
                for k in 0..<token.count { tmp[k] = CChar(bitPattern: token[k]) }
                tmp[token.count] = 0
                var end: UnsafeMutablePointer<CChar>?
                let value = Glibc.strtod(tmp.baseAddress!, &end)
                guard let end, end - tmp.baseAddress! == token.count else { return nil }
                return value
            }
        }
    }
}
