#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// PostgreSQL's binary wire formats (network byte order), as `src/backend/utils/adt/*send`
/// functions write them.
enum PostgresBinary {
    /// 2000-01-01 00:00:00 UTC, PostgreSQL's epoch, in Unix seconds.
    static let epochOffset: Int64 = 946_684_800

    @inline(__always)
    static func number(_ p: UnsafeRawPointer, length: Int, oid: UInt32) -> Double {
        switch oid {
        case PostgresType.int8: return Double(Int64(bigEndian: p.loadUnaligned(as: Int64.self)))
        case PostgresType.int4: return Double(Int32(bigEndian: p.loadUnaligned(as: Int32.self)))
        case PostgresType.int2: return Double(Int16(bigEndian: p.loadUnaligned(as: Int16.self)))
        case PostgresType.oid: return Double(UInt32(bigEndian: p.loadUnaligned(as: UInt32.self)))
        case PostgresType.float8: return Double(bitPattern: UInt64(bigEndian: p.loadUnaligned(as: UInt64.self)))
        case PostgresType.float4: return Double(Float(bitPattern: UInt32(bigEndian: p.loadUnaligned(as: UInt32.self))))
        case PostgresType.bool: return p.load(as: UInt8.self) != 0 ? 1 : 0
        case PostgresType.numeric: return numeric(p, length: length)
        default: return .nan
        }
    }

    /// `numeric`: ndigits, weight, sign, dscale (int16 each), then ndigits base-10000 digits;
    /// the value is Σ digit[i] × 10000^(weight − i).
    static func numeric(_ p: UnsafeRawPointer, length: Int) -> Double {
        guard length >= 8 else { return .nan }
        func int16(_ offset: Int) -> Int { Int(Int16(bigEndian: p.loadUnaligned(fromByteOffset: offset, as: Int16.self))) }
        let ndigits = int16(0), weight = int16(2), sign = UInt16(truncatingIfNeeded: int16(4))
        switch sign {
        case 0xC000: return .nan
        case 0xD000: return .infinity
        case 0xF000: return -.infinity
        default: break
        }
        guard length >= 8 + 2 * ndigits else { return .nan }
        let exponent = weight - ndigits + 1
        var value: Double
        if ndigits <= 3, abs(exponent) <= 5 {
            // Up to 12 decimal digits are exact in a Double, and so is 10000^k for k <= 5: one
            // correctly rounded multiply or divide gives the same Double as parsing the text.
            value = 0
            for i in 0..<ndigits { value = value * 10000 + Double(int16(8 + 2 * i)) }
            if exponent > 0 { value *= pow(10000, Double(exponent)) } else if exponent < 0 { value /= pow(10000, Double(-exponent)) }
        } else {
            // Longer values: write the decimal digits out and let strtod round once.
            var text: [CChar] = []
            text.reserveCapacity(4 * ndigits + 8)
            for i in 0..<ndigits {
                let digit = int16(8 + 2 * i)
                for divisor in [1000, 100, 10, 1] { text.append(CChar(48 + (digit / divisor) % 10)) }
            }
            text.append(CChar(UInt8(ascii: "e")))
            text.append(contentsOf: String(4 * exponent).utf8CString.dropLast())
            text.append(0)
            value = strtod(text, nil)
        }
        return sign == 0x4000 ? -value : value
    }

    @inline(__always)
    static func seconds(_ p: UnsafeRawPointer, oid: UInt32) -> Double {
        if oid == PostgresType.date {
            let days = Int32(bigEndian: p.loadUnaligned(as: Int32.self))
            if days == .max || days == .min { return .nan }  // ±infinity
            return Double(Int64(days) * 86_400 + epochOffset)
        }
        let micros = Int64(bigEndian: p.loadUnaligned(as: Int64.self))
        if micros == .max || micros == .min { return .nan }
        // Whole seconds first, so the fraction keeps its microseconds.
        let (whole, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let adjust: Int64 = fraction < 0 ? 1 : 0
        return Double(whole - adjust + epochOffset) + Double(fraction + adjust * 1_000_000) / 1e6
    }

    static func uuidText(_ p: UnsafeRawPointer) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for i in 0..<16 {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Text formats (used when a result has a column type without a binary decoder). The session
/// runs with `DateStyle=ISO` and `TimeZone=UTC`, so dates and times come as ISO 8601 in UTC.
public enum PostgresText {
    static func seconds(_ p: UnsafePointer<CChar>) -> Double {
        Timestamp.parse(String(cString: p)) ?? .nan
    }

    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// `2024-05-01 12:30:00.25+00`: microsecond precision, readable by PostgreSQL as timestamptz.
    public static func iso8601(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "" }
        let micros = Int64((seconds * 1e6).rounded())
        var (whole, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        if fraction < 0 { whole -= 1; fraction += 1_000_000 }
        var text = String(Timestamp.iso8601(Double(whole)).prefix(19)).replacing("T", with: " ")
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 6 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "+00"
    }
}
