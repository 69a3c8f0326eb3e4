/// Histograms of (gradient, hessian) per feature bin over a leaf's rows, from column-major bins.
///
/// The leaf's gradients are gathered once in row order (unless the rows are all rows, in
/// order); then each feature's column of bins is walked, a megabyte for a million rows, which
/// stays in cache while the rows are scattered over it. Features run in parallel, each summed in
/// row order by one thread, so a histogram is the same on any number of threads.
final class HistogramBuilder {
    let data: BinnedMatrix
    let pool: WorkerPool
    /// Where each feature's bins start in a histogram, and how many real bins it has.
    let offsets: [Int]
    let binCounts: [Int]
    var size: Int { data.histogramSize }
    /// A leaf's (gradient, hessian) pairs gathered in its row order.
    private let ordered: UnsafeMutableBufferPointer<SIMD2<Double>>

    init(data: BinnedMatrix, pool: WorkerPool) {
        precondition(data.rowStride == 1, "histograms are built from column-major bins")
        self.data = data
        self.pool = pool
        offsets = data.histogramOffsets
        binCounts = data.mappers.map(\.binCount)
        ordered = .allocate(capacity: max(1, data.rows))
    }

    deinit { ordered.deallocate() }

    /// Fills `target` (the features in `features`; others are left as they were) from the rows
    /// `rows`, or from every row in order when `rows` is nil.
    func build(into target: UnsafeMutablePointer<SIMD2<Double>>, rows: UnsafeBufferPointer<Int32>?,
               gradients: UnsafePointer<SIMD2<Float>>, features: [Int]) {
        let count = rows?.count ?? data.rows
        let og = ordered.baseAddress!
        if let rows {
            let index = rows.baseAddress!
            let gather = { (range: Range<Int>) in
                for i in range {
                    let g = gradients[Int(index[i])]
                    og[i] = SIMD2(Double(g.x), Double(g.y))
                }
            }
            if count < 65_536 || pool.width == 1 {
                gather(0..<count)
            } else {
                pool.forEachChunk(count: count, chunk: pool.chunkSize(for: count, minimum: 16_384)) { range, _ in gather(range) }
            }
        }
        let columns = UnsafePointer(data.codes.baseAddress!)
        let n = data.rows
        let offsets = self.offsets, binCounts = self.binCounts
        let index = rows?.baseAddress
        let body = { (k: Int) in
            let f = features[k]
            let h = target + offsets[f]
            h.update(repeating: SIMD2(0, 0), count: binCounts[f] + 1)
            let column = columns + f * n
            if let index {
                for i in 0..<count { h[Int(column[Int(index[i])])] += og[i] }
            } else {
                for i in 0..<count {
                    let g = gradients[i]
                    h[Int(column[i])] += SIMD2(Double(g.x), Double(g.y))
                }
            }
        }
        // Small leaves are not worth waking the other threads for.
        if count < 4096 || pool.width == 1 {
            for k in 0..<features.count { body(k) }
        } else {
            pool.run(tasks: features.count) { k, _ in body(k) }
        }
    }
}
