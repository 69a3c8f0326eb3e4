#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// Starting centres for k-means.
enum KMeansInitialization {
    /// scikit-learn's greedy k-means++ (`_kmeans_plusplus`): the first centre is a random row;
    /// each next one is the best of `2 + ⌊ln k⌋` rows drawn with probability proportional to
    /// their squared distance to the nearest centre so far, "best" meaning the candidate that
    /// leaves the smallest total squared distance.
    static func plusPlus(_ data: KMeansData, clusters k: Int, generator g: inout SeededGenerator) -> [Double] {
        let n = data.rows, d = data.features
        let trials = 2 + Int(log(Double(k)))
        var centers = [Double](repeating: 0, count: k * d)
        var closest = [Double](repeating: 0, count: n)
        var cumulative = [Double](repeating: 0, count: n)
        let ranges = ParallelChunks.ranges(count: n, size: data.chunkSize(clusters: trials))
        var chunkPotentials = [Double](repeating: 0, count: ranges.count * trials)

        func copyRow(_ r: Int, to c: Int) { for f in 0..<d { centers[c * d + f] = data.row(r)[f] } }

        copyRow(g.uniform(n), to: 0)
        var potential = update(data, closest: &closest, toward: Array(centers[0..<d]), first: true, ranges: ranges)
        for c in 1..<max(1, k) {
            // Cumulative sums for drawing rows by weight (np.searchsorted on np.cumsum).
            var running = 0.0
            for r in 0..<n { running += closest[r]; cumulative[r] = running }
            var candidates: [Int] = []
            for _ in 0..<trials {
                let target = g.unit() * potential
                candidates.append(min(firstIndex(in: cumulative, notBelow: target), n - 1))
            }
            // The potential each candidate would leave, all candidates in one pass over the rows.
            var candidateRows = [Double](repeating: 0, count: trials * d)
            for (t, r) in candidates.enumerated() { for f in 0..<d { candidateRows[t * d + f] = data.row(r)[f] } }
            let blocks = LaneBlocks(values: candidateRows, columns: d)
            potentials(data, closest: closest, candidates: blocks, trials: trials, into: &chunkPotentials, ranges: ranges)
            var best = 0, bestPotential = Double.infinity
            for t in 0..<trials {
                var p = 0.0
                for chunk in 0..<ranges.count { p += chunkPotentials[chunk * trials + t] }
                if p < bestPotential { bestPotential = p; best = t }
            }
            copyRow(candidates[best], to: c)
            potential = update(data, closest: &closest, toward: Array(centers[c * d..<(c + 1) * d]), first: false, ranges: ranges)
        }
        return centers
    }

    /// scikit-learn's `init='random'`: k distinct rows chosen uniformly.
    static func random(_ data: KMeansData, clusters k: Int, generator g: inout SeededGenerator) -> [Double] {
        var rows = Array(0..<data.rows)
        // Partial Fisher–Yates: the first k positions end up a uniform sample without repeats.
        for i in 0..<k { rows.swapAt(i, i + g.uniform(data.rows - i)) }
        var centers: [Double] = []
        centers.reserveCapacity(k * data.features)
        for r in rows.prefix(k) { centers.append(contentsOf: UnsafeBufferPointer(start: data.row(r), count: data.features)) }
        return centers
    }

    /// The first index whose cumulative weight is ≥ `target` (numpy's searchsorted, side left).
    static func firstIndex(in cumulative: [Double], notBelow target: Double) -> Int {
        var lo = 0, hi = cumulative.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < target { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Lowers each row's squared distance to its nearest centre with a new centre (or sets it,
    /// for the first) and returns the new total.
    private static func update(_ data: KMeansData, closest: inout [Double], toward center: [Double], first: Bool,
                               ranges: [Range<Int>]) -> Double {
        var partial = [Double](repeating: 0, count: ranges.count)
        center.withUnsafeBufferPointer { c in
            closest.withUnsafeMutableBufferPointer { out in
                partial.withUnsafeMutableBufferPointer { sums in
                    let cp = c.baseAddress!, op = out.baseAddress!, sp = sums.baseAddress!
                    ParallelChunks.run(count: data.rows, chunkSize: ranges.first?.count ?? 1, threads: data.threads) { chunk, range in
                        var s = 0.0
                        for r in range {
                            let dist = data.squaredDistance(r, cp)
                            let v = first ? dist : min(op[r], dist)
                            op[r] = v
                            s += v
                        }
                        sp[chunk] = s
                    }
                }
            }
        }
        return partial.reduce(0, +)
    }

    /// Per chunk and candidate: Σ min(closest, distance to the candidate)².
    static func potentials(_ data: KMeansData, closest: [Double], candidates: LaneBlocks, trials: Int,
                                   into out: inout [Double], ranges: [Range<Int>]) {
        if trials <= 4 {
            // Up to 20 clusters draw at most four candidates: four lanes do the work of eight.
            potentialsOfFour(data, closest: closest, candidates: candidates, trials: trials, into: &out, ranges: ranges)
            return
        }
        let d = data.features
        closest.withUnsafeBufferPointer { cl in
            candidates.storage.withUnsafeBufferPointer { blocks in
                out.withUnsafeMutableBufferPointer { o in
                    let clp = cl.baseAddress!, bp = blocks.baseAddress!, op = o.baseAddress!
                    ParallelChunks.run(count: data.rows, chunkSize: ranges.first?.count ?? 1, threads: data.threads) { chunk, range in
                        var sums = [SIMD8<Double>](repeating: SIMD8(repeating: 0), count: candidates.blockCount)
                        for r in range {
                            let q = data.row(r)
                            let limit = SIMD8(repeating: clp[r])
                            for b in 0..<candidates.blockCount {
                                let dist = DistanceMetric.euclidean.reduced(query: q, block: bp + b * d, features: d)
                                sums[b] += SIMDReductions.lesser(dist, limit)
                            }
                        }
                        for t in 0..<trials { op[chunk * trials + t] = sums[t / 8][t % 8] }
                    }
                }
            }
        }
    }

    private static func potentialsOfFour(_ data: KMeansData, closest: [Double], candidates: LaneBlocks, trials: Int,
                                         into out: inout [Double], ranges: [Range<Int>]) {
        let d = data.features
        // Coordinate f of the (up to) four candidates, one vector per feature.
        let quads = (0..<d).map { f in candidates.storage[f].lowHalf }
        closest.withUnsafeBufferPointer { cl in
            quads.withUnsafeBufferPointer { qs in
                out.withUnsafeMutableBufferPointer { o in
                    let clp = cl.baseAddress!, cp = qs.baseAddress!, op = o.baseAddress!
                    ParallelChunks.run(count: data.rows, chunkSize: ranges.first?.count ?? 1, threads: data.threads) { chunk, range in
                        var total = SIMD4<Double>(repeating: 0)
                        for r in range {
                            let x = data.row(r)
                            var s0 = SIMD4<Double>(repeating: 0), s1 = s0
                            var f = 0
                            while f + 1 < d {
                                let a = cp[f] - SIMD4(repeating: x[f]), b = cp[f + 1] - SIMD4(repeating: x[f + 1])
                                s0 += a * a
                                s1 += b * b
                                f += 2
                            }
                            if f < d { let a = cp[f] - SIMD4(repeating: x[f]); s0 += a * a }
                            total += SIMDReductions.lesser(s0 + s1, SIMD4(repeating: clp[r]))
                        }
                        for t in 0..<trials { op[chunk * trials + t] = total[t] }
                    }
                }
            }
        }
    }
}
