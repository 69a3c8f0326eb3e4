import MMPCore

/// The RLE / bit-packed hybrid encoding of definition levels, dictionary indices and booleans.
///
/// Runs: a varint header; low bit 0: the next value (in ⌈width/8⌉ bytes) repeated header >> 1
/// times; low bit 1: (header >> 1) groups of 8 values bit-packed, least significant bit first.
struct ParquetRLEDecoder {
    private let data: UnsafeBufferPointer<UInt8>
    private var position: Int
    private let bitWidth: Int
    private let context: String

    init(_ data: UnsafeBufferPointer<UInt8>, bitWidth: Int, context: String) {
        self.data = data; position = 0; self.bitWidth = bitWidth; self.context = context
    }

    private func corrupt() -> MMPError { MMPError.invalidData("\(context): corrupt RLE/bit-packed run") }

    private mutating func varint() throws -> Int {
        var result = 0, shift = 0
        while true {
            guard position < data.count, shift < 63 else { throw corrupt() }
            let b = data[position]
            position += 1
            result |= Int(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Decodes exactly `count` values into `out`.
    mutating func decode(_ count: Int, into out: UnsafeMutablePointer<UInt32>) throws {
        var done = 0
        if bitWidth == 0 {
            out.update(repeating: 0, count: count)
            return
        }
        let byteWidth = (bitWidth + 7) / 8
        let mask: UInt64 = bitWidth >= 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
        while done < count {
            let header = try varint()
            if header & 1 == 0 {
                let run = header >> 1
                guard position + byteWidth <= data.count else { throw corrupt() }
                var value: UInt32 = 0
                for k in 0..<byteWidth { value |= UInt32(data[position + k]) << (8 * UInt32(k)) }
                position += byteWidth
                let n = min(run, count - done)
                (out + done).update(repeating: value, count: n)
                done += n
            } else {
                let values = (header >> 1) * 8
                let bytes = (header >> 1) * bitWidth
                // The last run may be cut short of its padding at the end of the data.
                let available = min(bytes, data.count - position)
                guard available >= 0 else { throw corrupt() }
                let n = min(values, count - done)
                guard n * bitWidth <= available * 8 else { throw corrupt() }
                var buffer: UInt64 = 0
                var bits = 0
                var p = position
                for k in 0..<n {
                    while bits < bitWidth {
                        buffer |= UInt64(data[p]) << UInt64(bits)
                        p += 1
                        bits += 8
                    }
                    out[done + k] = UInt32(buffer & mask)
                    buffer >>= UInt64(bitWidth)
                    bits -= bitWidth
                }
                position += available
                done += n
            }
        }
    }
}

/// Bit width needed for values up to `maximum`.
func bitWidth(for maximum: Int) -> Int {
    maximum <= 0 ? 0 : Int.bitWidth - maximum.leadingZeroBitCount
}
