#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore
import MMPLearn

/// Cuts a CSV file into row ranges for batch scoring without reading it: the header record,
/// then one small window read at each cut (`pread` of 64 KiB, more only when a line is longer),
/// cut after the first line feed at or past the target offset.
///
/// A cut is made at a line feed without knowing the quote state before it, so a quoted field
/// holding a line break right at a cut would split a record: such a shard fails with the CSV
/// reader's error for the broken record (nothing is written), and the job says so.
public enum CSVShards {
    /// The header record (with its line break) and where the data starts.
    public static func header(path: String) throws -> [UInt8] {
        let file = try OpenFile(path)
        var window = 64 << 10
        while true {
            let bytes = try file.read(at: 0, count: window)
            let cut = bytes.withUnsafeBufferPointer { CSVBoundaries.firstBoundary($0, from: 0, target: 0, to: $0.count) }
            if let cut { return Array(bytes[..<cut]) }
            if bytes.count < window {
                // One line without a break: the header only.
                guard !bytes.isEmpty else { throw MMPError.invalidData("\(path) is empty (a CSV file needs a header line)") }
                return bytes + [0x0A]
            }
            window *= 4
        }
    }

    /// Byte ranges of the data after the header: `shards` of about equal size, or pieces of about
    /// `shardRows` rows (the row length is estimated from the first 1 MiB). Ranges start and end
    /// at line boundaries; empty ones are left out.
    public static func plan(path: String, shards: Int?, shardRows: Int?) throws -> (header: [UInt8], ranges: [Range<Int>], estimatedRows: Int) {
        let head = try header(path: path)
        let file = try OpenFile(path)
        let size = try file.size()
        let start = head.count
        let data = max(0, size - start)
        // Rows per byte from a sample: the count of line feeds in the first MiB after the header.
        let sample = try file.read(at: start, count: min(data, 1 << 20))
        let lines = max(1, sample.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
        let bytesPerRow = sample.isEmpty ? 1.0 : Double(sample.count) / Double(lines)
        let estimatedRows = Int((Double(data) / bytesPerRow).rounded())
        var parts = max(1, shards ?? 1)
        if let shardRows {
            guard shardRows > 0 else { throw MMPError.invalidInput("--shard-rows must be positive") }
            parts = max(1, Int((Double(estimatedRows) / Double(shardRows)).rounded(.up)))
        }
        guard data > 0 else { return (head, [], 0) }
        parts = min(parts, max(1, data / 2))
        var ranges: [Range<Int>] = []
        var from = start
        for k in 1..<max(1, parts) {
            let target = start + Int(Double(data) * Double(k) / Double(parts))
            guard target > from, let cut = try cut(file, at: target, size: size), cut < size else { continue }
            if cut > from { ranges.append(from..<cut); from = cut }
        }
        if size > from { ranges.append(from..<size) }
        return (head, ranges, estimatedRows)
    }

    /// The offset just after the first line feed at or after `target`, or nil at the end.
    static func cut(_ file: OpenFile, at target: Int, size: Int) throws -> Int? {
        var position = target
        while position < size {
            let window = try file.read(at: position, count: min(64 << 10, size - position))
            if let i = window.firstIndex(of: 0x0A) { return position + i + 1 }
            position += window.count
        }
        return nil
    }

    /// A read-only descriptor, closed with it.
    final class OpenFile {
        let fd: Int32
        let path: String
        init(_ path: String) throws {
            self.path = path
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw MMPError.io("cannot read \(path): \(String(cString: strerror(errno)))") }
        }
        deinit { close(fd) }

        func size() throws -> Int {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw MMPError.io("cannot stat \(path): \(String(cString: strerror(errno)))") }
            return Int(info.st_size)
        }

        func read(at offset: Int, count: Int) throws -> [UInt8] {
            guard count > 0 else { return [] }
            var out = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, count - got, off_t(offset + got)) }
                if n < 0 { if errno == EINTR { continue }; throw MMPError.io("cannot read \(path): \(String(cString: strerror(errno)))") }
                if n == 0 { break }
                got += n
            }
            return Array(out[..<got])
        }
    }
}

extension CSVReader {
    /// Reads one shard of a file: `header` (the file's header record) then the bytes of `range`.
    public func read(path: String, header: [UInt8], range: Range<Int>) throws -> Table {
        try read { offset in try CSVRangeBlocks(path: path, header: header, range: range, offset: offset, blockSize: blockSize) }
    }
}
