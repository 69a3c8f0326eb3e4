import MMPCore

/// DELTA_BINARY_PACKED (integers), DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (strings).
///
/// Delta: header (block size, miniblocks per block, value count, first value as zigzag), then
/// blocks of (min delta as zigzag, one bit width per miniblock, the miniblocks bit-packed).
/// Each value is the previous plus min delta plus its packed value (wrapping arithmetic).
struct ParquetDeltaDecoder {
    private let data: UnsafeBufferPointer<UInt8>
    private(set) var position: Int
    private let context: String

    init(_ data: UnsafeBufferPointer<UInt8>, at position: Int = 0, context: String) {
        self.data = data; self.position = position; self.context = context
    }

    private func corrupt(_ what: String) -> MMPError { MMPError.invalidData("\(context): corrupt DELTA_BINARY_PACKED data (\(what))") }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard position < data.count, shift < 64 else { throw corrupt("varint") }
            let b = data[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private mutating func zigzag() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    /// All values of one delta-encoded run; `position` ends after it.
    mutating func decode() throws -> [Int64] {
        let blockSize = Int(try varint())
        let miniblocks = Int(try varint())
        let total = Int(try varint())
        var previous = try zigzag()
        guard blockSize > 0, miniblocks > 0, blockSize % miniblocks == 0, total >= 0 else { throw corrupt("header") }
        let perMiniblock = blockSize / miniblocks
        guard perMiniblock % 8 == 0 else { throw corrupt("miniblock of \(perMiniblock) values") }
        var values: [Int64] = []
        values.reserveCapacity(total)
        if total > 0 { values.append(previous) }
        while values.count < total {
            let minDelta = try zigzag()
            guard position + miniblocks <= data.count else { throw corrupt("bit widths") }
            let widths = Array(data[position..<position + miniblocks])
            position += miniblocks
            for width in widths {
                guard values.count < total else { break }
                let w = Int(width)
                guard w <= 64 else { throw corrupt("bit width \(w)") }
                let bytes = perMiniblock * w / 8
                guard position + bytes <= data.count else { throw corrupt("miniblock past the end") }
                var buffer: UInt64 = 0  // bits not yet used, low first
                var bits = 0
                var p = position
                for _ in 0..<perMiniblock {
                    var packed: UInt64 = 0
                    if w > 0 {
                        // Gather w bits, possibly more than 64 in flight: take them in two steps.
                        var got = 0
                        while got < w {
                            if bits == 0 {
                                buffer = UInt64(data[p])
                                p += 1
                                bits = 8
                            }
                            let take = min(w - got, bits)
                            let part = take == 64 ? buffer : buffer & ((1 << UInt64(take)) - 1)
                            packed |= part << UInt64(got)
                            buffer = take == 64 ? 0 : buffer >> UInt64(take)
                            bits -= take
                            got += take
                        }
                    }
                    if values.count < total {
                        previous = previous &+ minDelta &+ Int64(bitPattern: packed)
                        values.append(previous)
                    }
                }
                position += bytes
            }
        }
        return values
    }

    /// DELTA_LENGTH_BYTE_ARRAY: lengths (delta) then the bytes one after another.
    mutating func decodeLengthByteArrays() throws -> [ArraySlice<UInt8>] {
        let lengths = try decode()
        var out: [ArraySlice<UInt8>] = []
        out.reserveCapacity(lengths.count)
        for length in lengths {
            let n = Int(length)
            guard n >= 0, position + n <= data.count else { throw corrupt("string past the end") }
            out.append(ArraySlice(data[position..<position + n]))
            position += n
        }
        return out
    }

    /// DELTA_BYTE_ARRAY: prefix lengths (delta), then suffixes (DELTA_LENGTH_BYTE_ARRAY); each
    /// value is the previous value's prefix followed by its suffix.
    mutating func decodeByteArrays() throws -> [[UInt8]] {
        let prefixes = try decode()
        let suffixes = try decodeLengthByteArrays()
        guard prefixes.count == suffixes.count else { throw corrupt("\(prefixes.count) prefixes for \(suffixes.count) suffixes") }
        var out: [[UInt8]] = []
        out.reserveCapacity(prefixes.count)
        var previous: [UInt8] = []
        for (prefix, suffix) in zip(prefixes, suffixes) {
            let n = Int(prefix)
            guard n >= 0, n <= previous.count else { throw corrupt("prefix longer than the previous value") }
            var value = Array(previous[0..<n])
            value.append(contentsOf: suffix)
            out.append(value)
            previous = value
        }
        return out
    }
}
