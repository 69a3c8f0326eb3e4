import MMPCore

/// A feature matrix with every value replaced by its bin (one byte), the form histogram-based
/// tree learners train on: 8× smaller than the doubles and cheap to scan.
///
/// Both learners scan one feature at a time over a node's rows, so they use column-major
/// codes: one feature's bins together (a megabyte per million rows, which stays in cache while
/// a node's rows are scattered over it). Row-major is there for learners that read whole rows.
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
    /// Per feature: how many rows are missing (fall in the missing bin).
    let missingCounts: [Int]
    let mappers: [BinMapper]
    /// Where each feature's histogram starts in a histogram of all features (`slots` entries
    /// each: the real bins, then the missing bin), and the total size.
    let histogramOffsets: [Int]
    let histogramSize: Int

    /// Bins `x` with `mappers` (one per column), in parallel over row chunks.
    init(_ x: Matrix, mappers: [BinMapper], layout: Layout, pool: WorkerPool) {
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
        let (rows, features, rowStride, featureStride) = (self.rows, self.features, self.rowStride, self.featureStride)
        let out = codes.baseAddress!
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
                        // Blocks of 256 rows, one feature at a time: the block's values stay in
                        // cache, one feature's bounds stay in L1, and the codes go out in runs.
                        var blockStart = range.lowerBound
                        while blockStart < range.upperBound {
                            let blockEnd = min(range.upperBound, blockStart + 256)
                            for f in 0..<features {
                                let featureBounds = bounds + f * 256
                                let missingCode = missing[f]
                                var missingHere = 0
                                for r in blockStart..<blockEnd {
                                    let v = values[r * features + f]
                                    let code: UInt8
                                    if v.isNaN {
                                        code = missingCode
                                        missingHere += 1
                                    } else {
                                        code = BinnedMatrix.search(v, featureBounds)
                                    }
                                    out[r * rowStride + f * featureStride] = code
                                }
                                myCounts[f] += missingHere
                            }
                            blockStart = blockEnd
                        }
                    }
                }
            }
        }
        var totals = [Int](repeating: 0, count: features)
        for c in 0..<chunks { for f in 0..<features { totals[f] += chunkMissing[c * features + f] } }
        missingCounts = totals
    }

    deinit { codes.deallocate() }

    /// The number of bounds below `value` among 256 sorted, padded bounds. Branch-free: each
    /// comparison becomes a 0 or 1 that is shifted into the index, since on real data the
    /// branches of an ordinary binary search are coin flips the CPU keeps mispredicting.
    @inline(__always)
    static func search(_ value: Double, _ bounds: UnsafePointer<Double>) -> UInt8 {
        @inline(__always) func bit(_ c: Bool) -> Int { Int(unsafeBitCast(c, to: UInt8.self)) }
        var index = bit(bounds[127] < value) << 7
        index |= bit(bounds[index + 63] < value) << 6
        index |= bit(bounds[index + 31] < value) << 5
        index |= bit(bounds[index + 15] < value) << 4
        index |= bit(bounds[index + 7] < value) << 3
        index |= bit(bounds[index + 3] < value) << 2
        index |= bit(bounds[index + 1] < value) << 1
        index |= bit(bounds[index] < value)
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
