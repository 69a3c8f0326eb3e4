#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// Decimal text to `Double` straight from bytes: no `String` per field.
///
/// The grammar is what a CSV number is here: `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`,
/// with ASCII whitespace around it allowed. Hex, `inf` and `nan` are text (`nan`/`NaN` are
/// missing markers, handled before this).
///
/// Conversion is exact (correctly rounded, the same bits as `strtod`): Clinger's fast path when
/// the mantissa fits 53 bits and the power of ten is exact in a double, then Eisel–Lemire with a
/// 128-bit power table, and `strtod` on a stack copy for what neither can decide (more than 19
/// digits, sub-normal results, overflow, the rare ambiguous product).
enum CSVNumber {
    /// A number's pieces as lexed: value = ±mantissa · 10^exponent when `exact`.
    struct Parts {
        var negative: Bool
        var mantissa: UInt64
        var exponent: Int
        /// False when there were more than 19 digits (the mantissa is then incomplete).
        var exact: Bool
    }

    /// Lexes a number starting exactly at `p` (no leading whitespace). Returns its parts and the
    /// first byte after it, or nil when `p` does not start a number. The caller decides whether
    /// what follows ends the field.
    @inline(__always)
    static func lex(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> (Parts, UnsafePointer<UInt8>)? {
        var p = start
        var negative = false
        if p < end, p.pointee == UInt8(ascii: "-") || p.pointee == UInt8(ascii: "+") {
            negative = p.pointee == UInt8(ascii: "-")
            p += 1
        }
        var mantissa: UInt64 = 0
        let integerStart = p
        while p < end {
            let d = p.pointee &- 48
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            p += 1
        }
        var digits = p - integerStart
        var exponent = 0
        if p < end, p.pointee == UInt8(ascii: ".") {
            p += 1
            let fractionStart = p
            while p < end {
                let d = p.pointee &- 48
                if d > 9 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                p += 1
            }
            let fractionDigits = p - fractionStart
            exponent = -fractionDigits
            digits += fractionDigits
        }
        guard digits > 0 else { return nil }
        if p < end, p.pointee | 0x20 == UInt8(ascii: "e") {
            var q = p + 1
            var negativeExponent = false
            if q < end, q.pointee == UInt8(ascii: "-") || q.pointee == UInt8(ascii: "+") {
                negativeExponent = q.pointee == UInt8(ascii: "-")
                q += 1
            }
            let exponentStart = q
            var value = 0
            while q < end {
                let d = q.pointee &- 48
                if d > 9 { break }
                if value < 100_000 { value = value * 10 + Int(d) }
                q += 1
            }
            // "1e" or "1e+" is not a number (strtod would stop before the 'e'; the field then
            // holds more than a number).
            guard q > exponentStart else { return nil }
            exponent += negativeExponent ? -value : value
            p = q
        }
        return (Parts(negative: negative, mantissa: mantissa, exponent: exponent, exact: digits <= 19), p)
    }

    /// The correctly rounded double of lexed parts; `text` is the number's bytes for the fallback.
    @inline(__always)
    static func value(_ parts: Parts, text: UnsafePointer<UInt8>, count: Int, powers: Powers = Powers()) -> Double {
        if parts.exact {
            if parts.mantissa == 0 { return parts.negative ? -0.0 : 0.0 }
            // Clinger's path only where it multiplies: a division's latency costs more than the
            // Eisel–Lemire product for the common "-1.234567" (negative exponent) fields.
            if parts.mantissa <= 1 << 53, parts.exponent >= 0, parts.exponent <= 22 {
                let d = Double(parts.mantissa) * exactPowerOfTen(parts.exponent)
                return parts.negative ? -d : d
            }
            if let d = eiselLemire(parts.mantissa, parts.exponent, negative: parts.negative, powers: powers) { return d }
        }
        return strtodCopy(text, count)
    }

    /// A whole field (ASCII whitespace around it allowed) as a number, or nil when it is not one.
    static func parseField(_ p: UnsafePointer<UInt8>, count: Int) -> Double? {
        var start = p, end = p + count
        while start < end, isASCIIWhitespace(start.pointee) { start += 1 }
        while end > start, isASCIIWhitespace((end - 1).pointee) { end -= 1 }
        guard start < end else { return nil }
        // Unicode spaces around a number: the String path trims them as the reader always has.
        if start.pointee >= 0x80 || (end - 1).pointee >= 0x80 {
            return plainNumber(String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self).trimmed())
        }
        guard let (parts, after) = lex(start, end), after == end else { return nil }
        return value(parts, text: start, count: end - start)
    }

    /// The same grammar for text already in a String (quoted fields with escapes).
    static func plainNumber(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return nil }
            guard let (parts, after) = lex(base, base + buffer.count), after == base + buffer.count else { return nil }
            return value(parts, text: base, count: buffer.count)
        }
    }

    @inline(__always)
    static func isASCIIWhitespace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    @inline(__always)
    static func exactPowerOfTen(_ k: Int) -> Double {
        // 10^k for k ≤ 22 is exact in a double; a switch the compiler turns into a table.
        switch k {
        case 0: 1e0; case 1: 1e1; case 2: 1e2; case 3: 1e3; case 4: 1e4; case 5: 1e5; case 6: 1e6; case 7: 1e7
        case 8: 1e8; case 9: 1e9; case 10: 1e10; case 11: 1e11; case 12: 1e12; case 13: 1e13; case 14: 1e14
        case 15: 1e15; case 16: 1e16; case 17: 1e17; case 18: 1e18; case 19: 1e19; case 20: 1e20; case 21: 1e21
        default: 1e22
        }
    }

    /// Eisel–Lemire: nil when the 128-bit product cannot decide the rounding (rare) or the result
    /// is outside the normal range; the caller then asks strtod.
    /// The power table, fetched once by a caller that converts many numbers.
    struct Powers {
        let high: UnsafePointer<UInt64>
        let low: UnsafePointer<UInt64>
        init() { high = CSVPowersOfFive.high; low = CSVPowersOfFive.low }
    }

    @inline(__always)
    static func eiselLemire(_ mantissa: UInt64, _ exponent10: Int, negative: Bool, powers: Powers) -> Double? {
        guard exponent10 >= CSVPowersOfFive.smallest, exponent10 <= CSVPowersOfFive.largest else { return nil }
        let index = exponent10 - CSVPowersOfFive.smallest
        let leadingZeros = mantissa.leadingZeroBitCount
        let man = mantissa << UInt64(leadingZeros)
        // ⌊log2(10^q)⌋ + 64 + bias - leading zeros; 217706/2^16 ≈ log2(10).
        var binaryExponent = UInt64(bitPattern: Int64((217706 * exponent10) >> 16 + 64 + 1023)) &- UInt64(leadingZeros)
        var (high, low) = man.multipliedFullWidth(by: powers.high[index])
        // The low half of the 5^q approximation matters only when the top bits are ambiguous.
        if high & 0x1FF == 0x1FF, low &+ man < man {
            let (secondHigh, secondLow) = man.multipliedFullWidth(by: powers.low[index])
            var mergedHigh = high
            let mergedLow = low &+ secondHigh
            if mergedLow < low { mergedHigh &+= 1 }
            if mergedHigh & 0x1FF == 0x1FF, mergedLow &+ 1 == 0, secondLow &+ man < man { return nil }
            high = mergedHigh
            low = mergedLow
        }
        let topBit = high >> 63
        var result = high >> (topBit + 9)
        binaryExponent &-= 1 ^ topBit
        // Exactly half-way between two doubles: let strtod apply round-half-even on the full value.
        if low == 0, high & 0x1FF == 0, result & 3 == 1 { return nil }
        result &+= result & 1
        result >>= 1
        if result >> 53 > 0 {
            result >>= 1
            binaryExponent &+= 1
        }
        // Zero or below: sub-normal; 0x7FF and up: infinity. Both go to strtod.
        if binaryExponent &- 1 >= 0x7FF - 1 { return nil }
        var bits = binaryExponent << 52 | (result & 0x000F_FFFF_FFFF_FFFF)
        if negative { bits |= 1 << 63 }
        return Double(bitPattern: bits)
    }

    /// strtod on a NUL-terminated copy of the bytes (the C locale's decimal point).
    static func strtodCopy(_ text: UnsafePointer<UInt8>, _ count: Int) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            for k in 0..<count { buffer[k] = CChar(bitPattern: text[k]) }
            buffer[count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }
}
