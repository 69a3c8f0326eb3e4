import MMPCore

/// Snappy decompression (the raw format Parquet pages use, no framing), in Swift: Debian has no
/// Swift-visible snappy here, and the format is a dozen lines of literal and copy elements.
///
/// Stream: the uncompressed length as a varint, then elements. Tag low bits 00: a literal
/// (length − 1 in the tag's top six bits, or in 1–4 following bytes when those say 60–63);
/// 01: a copy of 4–11 bytes with an 11-bit offset; 10 and 11: a copy of 1–64 bytes with a 2- or
/// 4-byte offset. Copies may overlap their own output (run-length style).
enum Snappy {
    static func decompress(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, context: String) throws -> Int {
        func corrupt(_ what: String) -> MMPError { MMPError.invalidData("\(context): corrupt Snappy data (\(what))") }
        var i = 0
        var length = 0
        var shift = 0
        while true {
            guard i < input.count, shift < 35 else { throw corrupt("bad length") }
            let b = input[i]
            i += 1
            length |= Int(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        guard length <= output.count else { throw corrupt("\(length) bytes do not fit the page's \(output.count)") }
        guard let src = input.baseAddress, let dst = output.baseAddress else { return length }
        var o = 0
        let n = input.count
        while i < n {
            let tag = src[i]
            i += 1
            switch tag & 3 {
            case 0:
                var literal = Int(tag >> 2)
                if literal >= 60 {
                    let extra = literal - 59
                    guard i + extra <= n else { throw corrupt("literal length past the end") }
                    literal = 0
                    for k in 0..<extra { literal |= Int(src[i + k]) << (8 * k) }
                    i += extra
                }
                literal += 1
                guard i + literal <= n, o + literal <= length else { throw corrupt("literal past the end") }
                (dst + o).update(from: src + i, count: literal)
                i += literal
                o += literal
            default:
                let count: Int, offset: Int
                switch tag & 3 {
                case 1:
                    guard i < n else { throw corrupt("copy past the end") }
                    count = 4 + Int((tag >> 2) & 7)
                    offset = Int(tag >> 5) << 8 | Int(src[i])
                    i += 1
                case 2:
                    guard i + 2 <= n else { throw corrupt("copy past the end") }
                    count = 1 + Int(tag >> 2)
                    offset = Int(src[i]) | Int(src[i + 1]) << 8
                    i += 2
                default:
                    guard i + 4 <= n else { throw corrupt("copy past the end") }
                    count = 1 + Int(tag >> 2)
                    offset = Int(src[i]) | Int(src[i + 1]) << 8 | Int(src[i + 2]) << 16 | Int(src[i + 3]) << 24
                    i += 4
                }
                guard offset > 0, offset <= o, o + count <= length else { throw corrupt("copy from outside the output") }
                if offset >= count {
                    (dst + o).update(from: dst + o - offset, count: count)
                } else {
                    for k in 0..<count { dst[o + k] = dst[o + k - offset] }
                }
                o += count
            }
        }
        guard o == length else { throw corrupt("\(o) bytes decoded, \(length) announced") }
        return length
    }
}
