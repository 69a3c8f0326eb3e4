/// Mean silhouette over rows grouped by cluster, with exact euclidean distances.
///
/// Rows are stored per cluster as lane blocks, so each row's summed distance to a cluster costs
/// one vector pass over that cluster's blocks; rows are shared out over the available cores.
/// O(rows² × features): callers sample large inputs first.
enum SilhouetteKernel {
    /// `labels` are 0..<clusterCount, each cluster non-empty, at least two clusters.
    static func mean(values: [Double], columns d: Int, labels: [Int], clusterCount: Int, threads: Int) -> Double {
        let n = labels.count
        var members = [[Int]](repeating: [], count: clusterCount)
        for (r, l) in labels.enumerated() { members[l].append(r) }
        let blocks = members.map { LaneBlocks(values: values, columns: d, rowIndices: $0) }
        var scores = [Double](repeating: 0, count: n)
        values.withUnsafeBufferPointer { v in
            scores.withUnsafeMutableBufferPointer { out in
                let vp = v.baseAddress!, op = out.baseAddress!
                ParallelChunks.run(count: n, chunkSize: 32, threads: threads) { _, range in
                    var sums = [Double](repeating: 0, count: clusterCount)
                    for r in range {
                        let x = vp + r * d
                        for c in 0..<clusterCount { sums[c] = distanceSum(x, blocks[c]) }
                        let own = labels[r], size = members[own].count
                        guard size > 1 else { op[r] = 0; continue }  // a singleton scores 0, as scikit-learn
                        let a = sums[own] / Double(size - 1)
                        var b = Double.infinity
                        for c in 0..<clusterCount where c != own { b = min(b, sums[c] / Double(members[c].count)) }
                        let scale = max(a, b)
                        op[r] = scale > 0 ? (b - a) / scale : 0
                    }
                }
            }
        }
        // Summed in row order, so the result does not depend on the core count.
        return scores.reduce(0, +) / Double(n)
    }

    @inline(__always) private static func distanceSum(_ x: UnsafePointer<Double>, _ blocks: LaneBlocks) -> Double {
        blocks.storage.withUnsafeBufferPointer { s in
            let base = s.baseAddress!, d = blocks.features
            var total = SIMD8<Double>(repeating: 0)
            let full = blocks.rows / 8
            for b in 0..<full {
                total += DistanceMetric.euclidean.reduced(query: x, block: base + b * d, features: d).squareRoot()
            }
            var sum = SIMDReductions.sum(total)
            if full < blocks.blockCount {
                let last = DistanceMetric.euclidean.reduced(query: x, block: base + full * d, features: d).squareRoot()
                for lane in 0..<blocks.validLanes(full) { sum += last[lane] }
            }
            return sum
        }
    }
}
