import Dispatch

/// Sums a per-row quantity (a loss and its gradient) over fixed chunks of rows, the chunks handed
/// to threads by `ParallelChunks` and the partial sums added in chunk order, so the result is the
/// same bit for bit whatever the thread count. Idle threads block; none spins.
struct ChunkedReduction {
    /// Rows per chunk: large enough that scheduling costs nothing, small enough to balance.
    static let chunkRows = 16_384

    let rows: Int
    /// Numbers each chunk produces (e.g. gradient length + 1 for the loss).
    let width: Int
    let threads: Int

    init(rows: Int, width: Int, threads: Int) {
        self.rows = rows
        self.width = width
        let chunks = (rows + Self.chunkRows - 1) / Self.chunkRows
        self.threads = max(1, min(threads, chunks))
    }

    var chunkCount: Int { (rows + Self.chunkRows - 1) / Self.chunkRows }

    /// Runs `body(rowRange, partial)` for every chunk, where `partial` (zeroed, `width` long) is
    /// that chunk's accumulator, and returns the chunk accumulators summed in order.
    func sum(_ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        let chunks = chunkCount, width = width
        var partials = [Double](repeating: 0, count: max(chunks, 1) * width)
        partials.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            // Each chunk writes only its own slice of `partials` (ParallelChunks' contract).
            ParallelChunks.run(count: rows, chunkSize: Self.chunkRows, threads: threads) { chunk, range in
                body(range, base + chunk * width)
            }
        }
        var total = [Double](repeating: 0, count: width)
        for c in 0..<chunks { for j in 0..<width { total[j] += partials[c * width + j] } }
        return total
    }
}
