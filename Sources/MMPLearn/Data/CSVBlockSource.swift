/// Hands out a CSV's bytes a block at a time; every block ends at a record boundary (or the end
/// of the input), so blocks can be parsed one after another with only one in memory. Bytes in
/// memory come as slices (`CSVMemoryBlocks`); files are read by MMPAdapters (MMPLearn does no
/// I/O), which cuts its buffer with `CSVBoundaries.lastBoundary`.
public protocol CSVBlockSource: AnyObject {
    /// The next block, valid until the next call; nil at the end.
    func nextBlock() throws -> UnsafeBufferPointer<UInt8>?
    /// The input's size in bytes when known (for sizing the columns up front).
    var totalBytes: Int? { get }
}

/// Blocks that are slices of bytes already in memory (no copy).
final class CSVMemoryBlocks: CSVBlockSource {
    private let buffer: UnsafeBufferPointer<UInt8>
    private var position: Int
    private let blockSize: Int

    init(_ buffer: UnsafeBufferPointer<UInt8>, from: Int, blockSize: Int) {
        self.buffer = buffer; position = from; self.blockSize = blockSize
    }

    var totalBytes: Int? { buffer.count }

    func nextBlock() throws -> UnsafeBufferPointer<UInt8>? {
        guard position < buffer.count else { return nil }
        let start = position
        var end = buffer.count
        if buffer.count - start > blockSize + blockSize / 2,
           let cut = CSVBoundaries.firstBoundary(buffer, from: start, target: start + blockSize, to: buffer.count) {
            end = cut
        }
        position = end
        return UnsafeBufferPointer(rebasing: buffer[start..<end])
    }
}
