#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore
import MMPLearn

/// Blocks read from a file descriptor into one reusable buffer: the bytes after the last record
/// boundary move to the front and the rest is refilled. A record longer than the buffer grows it.
final class CSVFileBlocks: CSVBlockSource {
    private let descriptor: Int32
    private let path: String
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var filled = 0
    private var consumed = 0
    private var endOfFile = false
    let totalBytes: Int?

    init(path: String, offset: Int, blockSize: Int) throws {
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw MMPError.io("cannot read \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        var info = stat()
        totalBytes = fstat(descriptor, &info) == 0 ? Int(info.st_size) : nil
        if offset > 0, lseek(descriptor, off_t(offset), SEEK_SET) < 0 {
            close(descriptor)
            throw MMPError.io("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        capacity = max(4096, blockSize)
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deallocate()
        close(descriptor)
    }

    func nextBlock() throws -> UnsafeBufferPointer<UInt8>? {
        // Keep the unparsed tail.
        if consumed > 0 {
            let tail = filled - consumed
            if tail > 0 { memmove(storage, storage + consumed, tail) }
            filled = tail
            consumed = 0
        }
        while true {
            try fill()
            let view = UnsafeBufferPointer(start: UnsafePointer(storage), count: filled)
            if endOfFile {
                guard filled > 0 else { return nil }
                consumed = filled
                return view
            }
            if let cut = CSVBoundaries.lastBoundary(view, from: 0, to: filled) {
                consumed = cut
                return UnsafeBufferPointer(rebasing: view[0..<cut])
            }
            // No record ends in the buffer: a very long record (or a quote never closed).
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: storage, count: filled)
            storage.deallocate()
            storage = bigger
            capacity *= 2
        }
    }

    private func fill() throws {
        while filled < capacity, !endOfFile {
            let n = read(descriptor, storage + filled, capacity - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw MMPError.io("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { endOfFile = true } else { filled += n }
        }
    }
}

extension CSVReader {
    /// Streams the file: it is never in memory whole (one block and the parts' buffers are).
    public func read(path: String) throws -> Table {
        try read { offset in try CSVFileBlocks(path: path, offset: offset, blockSize: blockSize) }
    }
}
