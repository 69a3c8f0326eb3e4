// Reading JSON text (RFC 8259). Small and strict: job records and child-process messages are
// read with it, so a malformed payload must fail with a position, never crash.
extension JSON {
    public static func parse(_ text: String) throws -> JSON {
        var parser = Parser(bytes: Array(text.utf8))
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("unexpected text after the value") }
        return value
    }

    public static func parse(bytes: [UInt8]) throws -> JSON {
        try parse(String(decoding: bytes, as: UTF8.self))
    }

    /// Like `parse(bytes:)`, but also reads the `NaN`, `Infinity` and `-Infinity` that Python's
    /// json module writes, as doubles, so that a caller can refuse them by name instead of
    /// failing with a syntax error (the prediction server answers 422 for a non-finite number).
    public static func parse(bytes: [UInt8], allowingNonFinite: Bool) throws -> JSON {
        var parser = Parser(bytes: bytes, allowNonFinite: allowingNonFinite)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("unexpected text after the value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        var allowNonFinite = false

        init(bytes: [UInt8], allowNonFinite: Bool = false) {
            self.bytes = bytes
            self.allowNonFinite = allowNonFinite
        }

        func error(_ message: String) -> MMPError {
            .invalidInput("invalid JSON at byte \(index): \(message)")
        }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }

        mutating func parseValue(depth: Int) throws -> JSON {
            guard depth < 512 else { throw error("nesting too deep") }
            guard index < bytes.count else { throw error("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth)
            case UInt8(ascii: "["): return try parseArray(depth: depth)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "N") where allowNonFinite: try expect("NaN"); return .double(.nan)
            case UInt8(ascii: "I") where allowNonFinite: try expect("Infinity"); return .double(.infinity)
            case UInt8(ascii: "-") where allowNonFinite && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "I"):
                index += 1
                try expect("Infinity")
                return .double(-.infinity)
            default: return try parseNumber()
            }
        }

        mutating func expect(_ word: String) throws {
            let w = Array(word.utf8)
            guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else {
                throw error("expected \(word)")
            }
            index += w.count
        }

        mutating func parseObject(depth: Int) throws -> JSON {
            index += 1
            var object = JSONObject()
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
                let key = try parseString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                skipWhitespace()
                object[key] = try parseValue(depth: depth + 1)
                skipWhitespace()
                guard index < bytes.count else { throw error("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
                throw error("expected ',' or '}'")
            }
        }

        mutating func parseArray(depth: Int) throws -> JSON {
            index += 1
            var items: [JSON] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw error("unterminated list") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw error("expected ',' or ']'")
            }
        }

        mutating func parseString() throws -> String {
            index += 1
            var runStart = index
            var result = ""
            func flushRun(_ end: Int) {
                if end > runStart { result += String(decoding: bytes[runStart..<end], as: UTF8.self) }
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    flushRun(index)
                    index += 1
                    return result
                }
                if byte == UInt8(ascii: "\\") {
                    flushRun(index)
                    index += 1
                    guard index < bytes.count else { break }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): result += "\""
                    case UInt8(ascii: "\\"): result += "\\"
                    case UInt8(ascii: "/"): result += "/"
                    case UInt8(ascii: "b"): result += "\u{08}"
                    case UInt8(ascii: "f"): result += "\u{0C}"
                    case UInt8(ascii: "n"): result += "\n"
                    case UInt8(ascii: "r"): result += "\r"
                    case UInt8(ascii: "t"): result += "\t"
                    case UInt8(ascii: "u"):
                        var code = try parseHex4()
                        if (0xD800..<0xDC00).contains(code) {
                            // A high surrogate must be followed by `\u` and a low one; anything
                            // else (text, another escape, a second high one) is an error, never
                            // arithmetic on a value out of range.
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
                        result.unicodeScalars.append(scalar)
                    default: throw error("bad escape")
                    }
                    runStart = index
                    continue
                }
                if byte < 0x20 { throw error("control character in string") }
                index += 1
            }
            throw error("unterminated string")
        }

        mutating func parseHex4() throws -> UInt32 {
            guard index + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
            else { throw error("bad \\u escape") }
            index += 4
            return v
        }

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
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard !text.isEmpty else { throw error("unexpected character") }
            if isInteger, let i = Int(text) { return .int(i) }
            guard let d = Double(text) else { throw error("bad number '\(text)'") }
            return .double(d)
        }
    }
}
