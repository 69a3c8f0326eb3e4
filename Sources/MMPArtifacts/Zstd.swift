internal import CZstd
import MMPCore

/// zstd compression through libzstd.
public enum Zstd {
    public static func compress(_ input: [UInt8], level: Int32 = 3) throws -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                ZSTD_compress(dst.baseAddress, bound, src.baseAddress, input.count, level)
            }
        }
        if ZSTD_isError(written) != 0 { throw MMPError.io("zstd compression failed: \(String(cString: ZSTD_getErrorName(written)))") }
        output.removeSubrange(written...)
        return output
    }

    /// Decompresses a frame whose content size is recorded in its header (as `compress` writes).
    /// `limit` guards against a forged size in a foreign or corrupt file.
    public static func decompress(_ input: [UInt8], limit: Int = 8 << 30) throws -> [UInt8] {
        let size = input.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, input.count) }
        // ZSTD_CONTENTSIZE_UNKNOWN and _ERROR are the two largest UInt64 values.
        guard size < UInt64.max - 1 else { throw MMPError.corrupt("not a zstd frame with a known size") }
        guard size <= UInt64(limit) else { throw MMPError.corrupt("zstd frame claims \(size) bytes, over the \(limit)-byte limit") }
        var output = [UInt8](repeating: 0, count: Int(size))
        let written = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                ZSTD_decompress(dst.baseAddress, Int(size), src.baseAddress, input.count)
            }
        }
        if ZSTD_isError(written) != 0 { throw MMPError.corrupt("zstd data is damaged: \(String(cString: ZSTD_getErrorName(written)))") }
        guard written == Int(size) else { throw MMPError.corrupt("zstd data is shorter than its header says") }
        return output
    }
}
