#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore
import MMPLearn

/// A shard of a CSV file as the reader sees it: the file's header record, then the bytes of
/// `range` (which starts and ends at record boundaries). Offsets given to `open` count in this
/// joined stream, as `CSVReader.read(_:)` expects.
final class CSVRangeBlocks: CSVBlockSource {
    private let header: [UInt8]
    private let inner: CSVFileBlocks
    private var first: [UInt8]?
    private var sentFirst = false
    let totalBytes: Int?

    init(path: String, header: [UInt8], range: Range<Int>, offset: Int, blockSize: Int) throws {
        self.header = header
        let skip = max(0, offset - header.count)
        inner = try CSVFileBlocks(path: path, offset: range.lowerBound + skip, blockSize: blockSize, end: range.upperBound)
        totalBytes = (offset < header.count ? header.count - offset : 0) + max(0, range.count - skip)
        sentFirst = offset >= header.count
        if !sentFirst { first = Array(header[offset...]) }
    }

    func nextBlock() throws -> UnsafeBufferPointer<UInt8>? {
        guard !sentFirst else { return try inner.nextBlock() }
        sentFirst = true
        // The header and the first data block together: the reader samples column types from
        // the rows that follow the header in its first block.
        let data = try inner.nextBlock()
        var joined = first ?? []
        if let data { joined.append(contentsOf: data) }
        first = joined
        return first!.withUnsafeBufferPointer { UnsafeBufferPointer(start: $0.baseAddress, count: $0.count) }
    }
}
