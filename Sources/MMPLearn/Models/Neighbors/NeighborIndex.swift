/// Exact k-nearest-neighbour search over the training rows, by brute force with SIMD lane
/// blocks or by a k-d tree. Both return the k rows smallest in (distance, row number), so
/// the choice changes speed, never the answer.
struct NeighborIndex: Sendable {
    enum Algorithm: String, Sendable {
        case brute
        case kdTree = "kd_tree"
    }

    /// Neighbours of each query: `k` per row, nearest first.
    struct Result {
        var k: Int
        var indices: [Int]
        var distances: [Double]
    }

    let algorithm: Algorithm
    let metric: DistanceMetric
    let rows: Int
    let features: Int
    private let blocks: LaneBlocks?
    private let tree: KDTree?

    /// `requested` is the recipe's `algorithm`: `auto` follows scikit-learn (a tree below 16
    /// features unless k is at least half the rows), `ball_tree` is served by the k-d tree.
    init(values: [Double], rows: Int, columns: Int, metric: DistanceMetric, requested: String, k: Int, leafSize: Int) {
        let algorithm: Algorithm
        switch requested {
        case "brute": algorithm = .brute
        case "kd_tree", "ball_tree": algorithm = .kdTree
        default: algorithm = (columns < 16 && k < rows / 2 && rows > leafSize) ? .kdTree : .brute
        }
        self.algorithm = algorithm
        self.metric = metric
        self.rows = rows
        self.features = columns
        blocks = algorithm == .brute ? LaneBlocks(values: values, columns: columns) : nil
        tree = algorithm == .kdTree ? KDTree(values: values, rows: rows, columns: columns, leafSize: leafSize) : nil
    }

    /// The `k` nearest training rows of every row of `queries` (row-major, `features` wide),
    /// searched in parallel over query chunks.
    func search(_ queries: [Double], k: Int, threads: Int) -> Result {
        let k = min(k, rows)
        let n = features == 0 ? 0 : queries.count / features
        var indices = [Int](repeating: 0, count: n * k)
        var distances = [Double](repeating: 0, count: n * k)
        guard k > 0, n > 0 else { return Result(k: k, indices: indices, distances: distances) }
        queries.withUnsafeBufferPointer { q in
            indices.withUnsafeMutableBufferPointer { outI in
                distances.withUnsafeMutableBufferPointer { outD in
                    let qBase = q.baseAddress!, iBase = outI.baseAddress!, dBase = outD.baseAddress!
                    // Chunks small enough to balance two cores, large enough to amortise the hand-off.
                    let chunk = max(16, 262_144 / max(1, rows))
                    ParallelChunks.run(count: n, chunkSize: chunk, threads: threads) { _, range in
                        var list = NeighborList(k: k)
                        for r in range {
                            list.reset()
                            let query = qBase + r * features
                            if let tree {
                                tree.search(query, metric: metric, into: &list)
                            } else if let blocks {
                                scan(blocks, query, &list)
                            }
                            for j in 0..<k {
                                iBase[r * k + j] = list.indices[j]
                                dBase[r * k + j] = metric.distance(fromReduced: list.distances[j])
                            }
                        }
                    }
                }
            }
        }
        return Result(k: k, indices: indices, distances: distances)
    }

    @inline(__always) private func scan(_ blocks: LaneBlocks, _ q: UnsafePointer<Double>, _ list: inout NeighborList) {
        blocks.storage.withUnsafeBufferPointer { s in
            let base = s.baseAddress!
            for b in 0..<blocks.blockCount {
                let d = metric.reduced(query: q, block: base + b * features, features: features)
                // Most blocks hold no row closer than the current k-th: one vector compare skips them.
                guard SIMDReductions.min(d) <= list.worst else { continue }
                for lane in 0..<blocks.validLanes(b) { list.offer(d[lane], b * 8 + lane) }
            }
        }
    }
}
