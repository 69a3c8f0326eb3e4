import MMPCore

/// A feature matrix with every value replaced by its bin (one byte), the form histogram-based
/// tree learners train on: 8× smaller than the doubles and cheap to scan.
///
/// The layout follows the learner. Boosting builds histograms of all features over a leaf's
/// rows, so it wants a row's bins together (row-major: one cache line per row). Forests scan
/// one feature at a time over a node's rows, so they want a feature's bins together
/// (column-major).
///
/// Immutable once built (hence shareable across threads); the codes live in memory this object
/// allocates, so hot loops can hold a stable pointer to them.
final class BinnedMatrix: @unchecked Sendable {
    enum Layout { case rowMajor, columnMajor }

    let rows: Int
    let features: Int
    /// code(row, feature) = codes[row * rowStride + feature * featureStride]
    let rowStride: Int
    let featureStride: Int
    let codes: UnsafeMutableBufferPointer<UInt8>
    /// A column-major copy beside row-major codes, when asked for: boosting partitions a
    /// leaf's rows by one feature, which reads far less memory from a column.
    let columnCodes: UnsafeMutableBufferPointer<UInt8>?
    /// Per feature: how many rows are missing (fall in the missing bin).
    let missingCounts: [Int]
    let mappers: [BinMapper]
    /// Where each feature's histogram starts in a histogram of all features (`slots` entries
    /// each: the real bins, then the missing bin), and the total size.
    let histogramOffsets: [Int]
    let histogramSize: Int

    /// Bins `x` with `mappers` (one per column), in parallel over row chunks.
    init(_ x: Matrix, mappers: [BinMapper], layout: Layout, withColumnCopy: Bool = false, pool: WorkerPool) {
        precondition(mappers.count == x.columns)
        rows = x.rows
        features = x.columns
        switch layout {
        case .rowMajor: rowStride = features; featureStride = 1
        case .columnMajor: rowStride = 1; featureStride = rows
        }
        self.mappers = mappers
        var offsets: [Int] = []
        var total = 0
        for m in mappers { offsets.append(total); total += m.slots }
        histogramOffsets = offsets
        histogramSize = total

        let bounds = mappers.flatMap(\.upperBounds)
        let missing = mappers.map { UInt8(truncatingIfNeeded: $0.missingBin) }
        codes = .allocate(capacity: max(1, rows * features))
        let copy: UnsafeMutableBufferPointer<UInt8>? = withColumnCopy && layout == .rowMajor ? .allocate(capacity: max(1, rows * features)) : nil
        columnCodes = copy
        let (rows, features, rowStride, featureStride) = (self.rows, self.features, self.rowStride, self.featureStride)
        let out = codes.baseAddress!
        let columnOut = copy?.baseAddress
        let chunk = pool.chunkSize(for: rows, minimum: 4096)
        let chunks = (rows + chunk - 1) / chunk
        // Missing values counted per chunk (each task writes only its own row of counts).
        var chunkMissing = [Int](repeating: 0, count: max(1, chunks * features))
        chunkMissing.withUnsafeMutableBufferPointer { counts in
            let counts = counts.baseAddress!
            x.values.withUnsafeBufferPointer { values in
                bounds.withUnsafeBufferPointer { bounds in
                    let values = values.baseAddress!, bounds = bounds.baseAddress!
                    pool.forEachChunk(count: rows, chunk: chunk) { range, _ in
                        let myCounts = counts + (range.lowerBound / chunk) * features
                        for r in range {
                            let row = values + r * features
                            for f in 0..<features {
                                let v = row[f]
                                let code: UInt8
                                if v.isNaN {
                                    code = missing[f]
                                    myCounts[f] += 1
                                } else {
                                    code = BinnedMatrix.search(v, bounds + f * 256)
                                }
                                out[r * rowStride + f * featureStride] = code
                                if let columnOut { columnOut[f * rows + r] = code }
                            }
                        }
                    }
                }
            }
        }
        var totals = [Int](repeating: 0, count: features)
        for c in 0..<chunks { for f in 0..<features { totals[f] += chunkMissing[c * features + f] } }
        missingCounts = totals
    }

    deinit { codes.deallocate(); columnCodes?.deallocate() }

    /// The number of bounds below `value` among 256 sorted, padded bounds (branch-free).
    @inline(__always)
    static func search(_ value: Double, _ bounds: UnsafePointer<Double>) -> UInt8 {
        var index = 0
        if bounds[index + 127] < value { index += 128 }
        if bounds[index + 63] < value { index += 64 }
        if bounds[index + 31] < value { index += 32 }
        if bounds[index + 15] < value { index += 16 }
        if bounds[index + 7] < value { index += 8 }
        if bounds[index + 3] < value { index += 4 }
        if bounds[index + 1] < value { index += 2 }
        if bounds[index] < value { index += 1 }
        return UInt8(truncatingIfNeeded: index)
    }

    /// Bin boundaries for every column of `x`, learned from at most `sampleRows` rows drawn
    /// with `seed` (as LightGBM's bin_construct_sample_cnt: quantiles of 200,000 rows are as
    /// good as those of all rows and far cheaper to sort).
    static func fitMappers(_ x: Matrix, maxBins: Int, sampleRows: Int = 200_000, seed: UInt64, pool: WorkerPool) -> [BinMapper] {
        var sample: [Int]
        if x.rows <= sampleRows {
            sample = Array(0..<x.rows)
        } else {
            var generator = SeededGenerator(seed: seed ^ 0x5EED_B1A5)
            var all = Array(0..<x.rows)
            for i in 0..<sampleRows { all.swapAt(i, i + generator.uniform(x.rows - i)) }
            sample = Array(all[0..<sampleRows])
            sample.sort()
        }
        var mappers = [BinMapper?](repeating: nil, count: x.columns)
        let columns = x.columns
        mappers.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            x.values.withUnsafeBufferPointer { values in
                let values = values.baseAddress!
                pool.run(tasks: columns) { f, _ in
                    let column = sample.map { values[$0 * columns + f] }
                    out[f] = BinMapper(sample: column, maxBins: maxBins)
                }
            }
        }
        return mappers.map { $0! }
    }

    @inline(__always)
    func code(_ row: Int, _ feature: Int) -> UInt8 { codes[row * rowStride + feature * featureStride] }
}
