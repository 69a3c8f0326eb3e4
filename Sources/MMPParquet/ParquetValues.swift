import MMPCore
import MMPLearn

/// Physical values to the table's doubles: integers as numbers, DATE as seconds, TIMESTAMP and
/// INT96 as seconds since the epoch, DECIMAL scaled, unsigned integers read unsigned.
struct ParquetNumberConverter {
    let leaf: ParquetLeaf

    @inline(__always)
    func int32(_ v: Int32) -> Double {
        switch leaf.element.logical {
        case .date: return Double(v) * 86_400
        case .integer(_, false): return Double(UInt32(bitPattern: v))
        case .decimal(let scale): return Double(v) / pow10(scale)
        case .time(let units): return Double(v) / Double(units)
        default: return Double(v)
        }
    }

    @inline(__always)
    func int64(_ v: Int64) -> Double {
        switch leaf.element.logical {
        case .timestamp(let units), .time(let units):
            // Whole seconds and the remainder apart, so microsecond timestamps stay exact.
            let whole = v / units, rest = v % units
            return Double(whole) + Double(rest) / Double(units)
        case .integer(_, false): return Double(UInt64(bitPattern: v))
        case .decimal(let scale): return Double(v) / pow10(scale)
        default: return Double(v)
        }
    }

    private func pow10(_ k: Int) -> Double {
        var d = 1.0
        for _ in 0..<max(0, k) { d *= 10 }
        return d
    }

    /// PLAIN-encoded values (`count` of them) as doubles into `out`; returns the bytes read.
    func plain(_ data: UnsafeBufferPointer<UInt8>, count: Int, into out: UnsafeMutablePointer<Double>, context: String) throws -> Int {
        let raw = UnsafeRawPointer(data.baseAddress ?? UnsafePointer(bitPattern: 1)!)
        func need(_ bytes: Int) throws {
            guard bytes <= data.count else {
                throw MMPError.invalidData("\(context): page holds \(data.count) bytes of values, \(count) \(leaf.physical.name) values need \(bytes)")
            }
        }
        switch leaf.physical {
        case .boolean:
            try need((count + 7) / 8)
            for k in 0..<count { out[k] = (data[k >> 3] >> UInt8(k & 7)) & 1 == 1 ? 1 : 0 }
            return (count + 7) / 8
        case .int32:
            try need(count * 4)
            for k in 0..<count { out[k] = int32(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: k * 4, as: Int32.self))) }
            return count * 4
        case .int64:
            try need(count * 8)
            for k in 0..<count { out[k] = int64(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: k * 8, as: Int64.self))) }
            return count * 8
        case .int96:
            try need(count * 12)
            for k in 0..<count {
                let nanos = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: k * 12, as: UInt64.self))
                let julianDay = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: k * 12 + 8, as: Int32.self))
                out[k] = Double(Int64(julianDay) - 2_440_588) * 86_400 + Double(nanos) / 1e9
            }
            return count * 12
        case .float:
            try need(count * 4)
            for k in 0..<count { out[k] = Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: k * 4, as: UInt32.self)))) }
            return count * 4
        case .double:
            try need(count * 8)
            #if _endian(little)
            UnsafeMutableRawPointer(out).copyMemory(from: raw, byteCount: count * 8)
            #else
            for k in 0..<count { out[k] = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self))) }
            #endif
            return count * 8
        case .byteArray, .fixedLenByteArray:
            throw MMPError.invalidData("\(context): \(leaf.physical.name) values are not numbers")
        }
    }

    /// BYTE_STREAM_SPLIT: byte k of every value in stream k.
    func byteStreamSplit(_ data: UnsafeBufferPointer<UInt8>, count: Int, into out: UnsafeMutablePointer<Double>, context: String) throws {
        let width: Int
        switch leaf.physical {
        case .float, .int32: width = 4
        case .double, .int64: width = 8
        default: throw MMPError.invalidData("\(context): BYTE_STREAM_SPLIT on \(leaf.physical.name) is not supported")
        }
        guard data.count >= count * width else { throw MMPError.invalidData("\(context): BYTE_STREAM_SPLIT data too short") }
        var joined = [UInt8](repeating: 0, count: count * width)
        for k in 0..<count { for b in 0..<width { joined[k * width + b] = data[b * count + k] } }
        _ = try joined.withUnsafeBufferPointer { try plain($0, count: count, into: out, context: context) }
    }
}
