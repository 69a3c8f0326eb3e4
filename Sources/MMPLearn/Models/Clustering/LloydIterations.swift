import MMPCore

/// The result of one k-means run.
struct KMeansRun {
    /// clusters × features, in the data's units.
    var centers: [Double]
    var labels: [Int32]
    var inertia: Double
    var iterations: Int
}

/// Lloyd's algorithm as scikit-learn's `_kmeans_single_lloyd`: assign every row to its nearest
/// centre, move each centre to the mean of its rows, until no label changes or the centres
/// move less than `tolerance` in total squared distance; an empty cluster takes the row
/// farthest from its centre.
enum LloydIterations {
    static func run(_ data: KMeansData, initial: [Double], clusters k: Int, maxIterations: Int, tolerance: Double,
                    context: FitContext) throws -> KMeansRun {
        let n = data.rows, d = data.features
        var centers = initial
        var labels = [Int32](repeating: -1, count: n)
        let ranges = ParallelChunks.ranges(count: n, size: data.chunkSize(clusters: k))
        var chunkSums = [Double](repeating: 0, count: ranges.count * k * d)
        var chunkCounts = [Int](repeating: 0, count: ranges.count * k)
        var chunkChanged = [Int](repeating: 0, count: ranges.count)
        var iterations = 0
        var strictConvergence = false

        for iteration in 0..<maxIterations {
            try context.checkCancelled()
            iterations = iteration + 1
            let blocks = CentroidBlocks(centers: centers, means: data.means, clusters: k, features: d)
            assign(data, blocks, &labels, sums: &chunkSums, counts: &chunkCounts, changed: &chunkChanged, ranges: ranges)
            var sums = [Double](repeating: 0, count: k * d)
            var counts = [Int](repeating: 0, count: k)
            for c in 0..<ranges.count {
                for i in 0..<k * d { sums[i] += chunkSums[c * k * d + i] }
                for i in 0..<k { counts[i] += chunkCounts[c * k + i] }
            }
            relocateEmptyClusters(data, centers: centers, labels: labels, sums: &sums, counts: &counts, clusters: k)
            var shift = 0.0
            for c in 0..<k {
                guard counts[c] > 0 else { continue }  // cannot happen after relocation unless n < k
                for f in 0..<d {
                    // The sums are of centred values.
                    let v = data.means[f] + sums[c * d + f] / Double(counts[c])
                    let delta = v - centers[c * d + f]
                    shift += delta * delta
                    centers[c * d + f] = v
                }
            }
            if chunkChanged.reduce(0, +) == 0 { strictConvergence = true; break }
            if shift <= tolerance { break }
        }
        if !strictConvergence {
            // Labels must match the final centres (scikit-learn reruns the E-step too).
            let blocks = CentroidBlocks(centers: centers, means: data.means, clusters: k, features: d)
            assign(data, blocks, &labels, sums: &chunkSums, counts: &chunkCounts, changed: &chunkChanged, ranges: ranges)
        }
        let inertia = self.inertia(data, centers: centers, labels: labels, ranges: ranges)
        return KMeansRun(centers: centers, labels: labels, inertia: inertia, iterations: iterations)
    }

    /// Labels every row with its nearest centre and accumulates, per chunk, the sum (of centred
    /// values, in double precision) and count of each cluster's rows and how many labels changed.
    static func assign(_ data: KMeansData, _ blocks: CentroidBlocks, _ labels: inout [Int32],
                       sums: inout [Double], counts: inout [Int], changed: inout [Int], ranges: [Range<Int>]) {
        let k = blocks.clusters, d = data.features
        blocks.coordinates.withUnsafeBufferPointer { coordinates in
            blocks.halfNorms.withUnsafeBufferPointer { halfNorms in
                labels.withUnsafeMutableBufferPointer { labelBuffer in
                    sums.withUnsafeMutableBufferPointer { sumBuffer in
                        counts.withUnsafeMutableBufferPointer { countBuffer in
                            changed.withUnsafeMutableBufferPointer { changedBuffer in
                                let cp = coordinates.baseAddress!, hp = halfNorms.baseAddress!
                                let lp = labelBuffer.baseAddress!, sp = sumBuffer.baseAddress!
                                let np = countBuffer.baseAddress!, chp = changedBuffer.baseAddress!
                                ParallelChunks.run(count: data.rows, chunkSize: ranges.first?.count ?? 1, threads: data.threads) { chunk, range in
                                    let s = sp + chunk * k * d, c = np + chunk * k
                                    s.update(repeating: 0, count: k * d)
                                    c.update(repeating: 0, count: k)
                                    var moved = 0
                                    for r in range {
                                        let x = data.centred.baseAddress! + r * d
                                        let label = CentroidBlocks.nearest(x, coordinates: cp, halfNorms: hp, groups: blocks.groups, features: d)
                                        if lp[r] != Int32(label) { moved += 1; lp[r] = Int32(label) }
                                        c[label] += 1
                                        let target = s + label * d
                                        for f in 0..<d { target[f] += Double(x[f]) }
                                    }
                                    chp[chunk] = moved
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// scikit-learn's `_relocate_empty_clusters_dense`: each empty cluster takes one of the rows
    /// farthest from their (old) centres, which leaves its former cluster.
    static func relocateEmptyClusters(_ data: KMeansData, centers: [Double], labels: [Int32], sums: inout [Double],
                                      counts: inout [Int], clusters k: Int) {
        let empty = (0..<k).filter { counts[$0] == 0 }
        guard !empty.isEmpty, data.rows >= k else { return }
        let d = data.features
        var distances = [Double](repeating: 0, count: data.rows)
        centers.withUnsafeBufferPointer { c in
            for r in 0..<data.rows { distances[r] = data.squaredDistance(r, c.baseAddress! + Int(labels[r]) * d) }
        }
        let farthest = (0..<data.rows).sorted { (distances[$0], $1) > (distances[$1], $0) }.prefix(empty.count)
        for (cluster, row) in zip(empty, farthest) {
            // Sums are of the centred values the assignment step adds.
            let old = Int(labels[row]), x = data.centred.baseAddress! + row * d
            for f in 0..<d {
                sums[old * d + f] -= Double(x[f])
                sums[cluster * d + f] = Double(x[f])
            }
            counts[cluster] = 1
            counts[old] -= 1
        }
    }

    /// Σ‖x − c(x)‖² over the rows, summed per chunk then in chunk order.
    static func inertia(_ data: KMeansData, centers: [Double], labels: [Int32], ranges: [Range<Int>]) -> Double {
        var partial = [Double](repeating: 0, count: ranges.count)
        let d = data.features
        centers.withUnsafeBufferPointer { c in
            labels.withUnsafeBufferPointer { l in
                partial.withUnsafeMutableBufferPointer { out in
                    let cp = c.baseAddress!, lp = l.baseAddress!, op = out.baseAddress!
                    ParallelChunks.run(count: data.rows, chunkSize: ranges.first?.count ?? 1, threads: data.threads) { chunk, range in
                        var s = 0.0
                        for r in range { s += data.squaredDistance(r, cp + Int(lp[r]) * d) }
                        op[chunk] = s
                    }
                }
            }
        }
        return partial.reduce(0, +)
    }
}
