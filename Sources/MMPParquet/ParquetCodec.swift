import CZlib
import CZstd
import MMPCore

/// Page compression codecs (`CompressionCodec` in parquet.thrift).
enum ParquetCodec {
    static func name(_ codec: Int32) -> String {
        switch codec {
        case 0: "UNCOMPRESSED"
        case 1: "SNAPPY"
        case 2: "GZIP"
        case 3: "LZO"
        case 4: "BROTLI"
        case 5: "LZ4"
        case 6: "ZSTD"
        case 7: "LZ4_RAW"
        default: "codec \(codec)"
        }
    }

    static func isSupported(_ codec: Int32) -> Bool { [0, 1, 2, 6].contains(codec) }

    /// Decompresses `input` into exactly `size` bytes.
    static func decompress(_ codec: Int32, _ input: UnsafeBufferPointer<UInt8>, size: Int, context: String) throws -> [UInt8] {
        var out: [UInt8] = []
        try decompress(codec, input, size: size, into: &out, context: context)
        return out
    }

    /// Decompresses `input` into `buffer` (reused from page to page: no allocation once it is
    /// as large as the largest page).
    static func decompress(_ codec: Int32, _ input: UnsafeBufferPointer<UInt8>, size: Int, into buffer: inout [UInt8], context: String) throws {
        if codec == 0 {
            guard input.count == size else { throw MMPError.invalidData("\(context): page holds \(input.count) bytes, header says \(size)") }
            buffer.removeAll(keepingCapacity: true)
            buffer.append(contentsOf: input)
            return
        }
        if buffer.count < size { buffer.append(contentsOf: repeatElement(0, count: size - buffer.count)) }
        try buffer.withUnsafeMutableBufferPointer { output in
            let produced: Int
            switch codec {
            case 1: produced = try Snappy.decompress(input, into: UnsafeMutableBufferPointer(rebasing: output[0..<size]), context: context)
            case 2: produced = try inflate(input, into: UnsafeMutableBufferPointer(rebasing: output[0..<size]), context: context)
            case 6:
                let n = ZSTD_decompress(output.baseAddress, size, input.baseAddress, input.count)
                guard ZSTD_isError(n) == 0 else {
                    throw MMPError.invalidData("\(context): corrupt ZSTD page (\(String(cString: ZSTD_getErrorName(n))))")
                }
                produced = n
            default:
                throw MMPError.invalidData("\(context): pages compressed with \(name(codec)) are not supported (mmp reads UNCOMPRESSED, SNAPPY, GZIP and ZSTD); rewrite the file with one of those, e.g. pyarrow.parquet.write_table(t, path, compression='zstd')")
            }
            guard produced == size else { throw MMPError.invalidData("\(context): page decompressed to \(produced) bytes, header says \(size)") }
        }
        if buffer.count > size { buffer.removeLast(buffer.count - size) }
    }

    /// GZIP (or zlib) stream via zlib's inflate; windowBits 15 + 32 accepts both headers.
    private static func inflate(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, context: String) throws -> Int {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw MMPError.invalidData("\(context): zlib could not start")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = UInt32(input.count)
        stream.next_out = output.baseAddress
        stream.avail_out = UInt32(output.count)
        let status = CZlib.inflate(&stream, Z_FINISH)
        guard status == Z_STREAM_END || (status == Z_OK && stream.avail_out == 0) || (status == Z_BUF_ERROR && stream.avail_out == 0) else {
            throw MMPError.invalidData("\(context): corrupt GZIP page (zlib status \(status))")
        }
        return output.count - Int(stream.avail_out)
    }
}
