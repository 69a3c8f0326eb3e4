import MMPCore

/// scikit-learn's Birch: rows are inserted one by one into a CF tree whose leaf entries
/// (subclusters) have radius at most `threshold`; the subcluster centres are then grouped into
/// `n_clusters` clusters by Ward's agglomerative clustering (each centre one point, as
/// scikit-learn's AgglomerativeClustering on subcluster_centers_). A row's cluster is that of
/// its nearest subcluster centre. With n_clusters null every subcluster is a cluster.
struct BirchEstimator: Estimator {
    var threshold: Double
    var branching: Int
    var clusters: Int?

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        let x = data.features, n = x.rows, d = x.columns
        guard n > 0, d > 0 else { throw MMPError.invalidData("Birch needs at least one row and one feature column") }
        if let bad = x.values.firstIndex(where: { !$0.isFinite }) {
            throw MMPError.invalidData("Birch cannot use missing or infinite values (\(FeatureNaming.describe(bad, columns: d, names: data.featureNames))); add a simple_imputer step")
        }
        var root = CFNode(isLeaf: true)
        let head = CFNode(isLeaf: true)  // scikit-learn's dummy_leaf_: its next leaf is the first
        head.nextLeaf = root
        root.previousLeaf = head
        for r in 0..<n {
            if r % 8192 == 0 {
                try context.checkCancelled()
                context.progress(0.9 * Double(r) / Double(n))
            }
            let feature = ClusteringFeature(row: Array(x.values[(r * d)..<((r + 1) * d)]))
            if root.insert(feature, threshold: threshold, branching: branching) {
                let (first, second) = Birch.split(root, features: d)
                root = CFNode(isLeaf: false)
                root.entries = [first, second]
            }
        }
        var centres: [Double] = []
        var leaf = head.nextLeaf
        while let node = leaf {
            for entry in node.entries { centres += entry.centroid }
            leaf = node.nextLeaf
        }
        let m = centres.count / d
        var labels = Array(0..<m)
        if let clusters, clusters <= m {
            labels = WardClustering.labels(points: centres, count: m, features: d, clusters: clusters)
        }
        return TrainedBirch(centres: Matrix(rows: m, columns: d, values: centres), labels: labels, clusterCount: Set(labels).count)
    }
}

/// A fitted Birch model: the subcluster centres and each one's cluster.
public struct TrainedBirch: TrainedModel {
    public static let typeName = "Birch"
    let centres: Matrix
    let labels: [Int]
    let clusterCount: Int

    init(centres: Matrix, labels: [Int], clusterCount: Int) {
        self.centres = centres; self.labels = labels; self.clusterCount = clusterCount
    }

    /// The cluster of each row's nearest subcluster centre (|c|² - 2 c·x, first on ties).
    public func predict(_ features: Matrix) -> [Double] {
        let d = centres.columns, m = centres.rows
        let norms = (0..<m).map { c in (0..<d).reduce(0.0) { $0 + centres.values[c * d + $1] * centres.values[c * d + $1] } }
        var out = [Double](repeating: 0, count: features.rows)
        let pool = WorkerPool(threads: CPUInfo.availableCores)
        out.withUnsafeMutableBufferPointer { ob in
            features.values.withUnsafeBufferPointer { xb in
                centres.values.withUnsafeBufferPointer { cb in
                    let o = ob.baseAddress!, xv = xb.baseAddress!, cv = cb.baseAddress!
                    pool.forEachChunk(count: features.rows, chunk: pool.chunkSize(for: features.rows, minimum: 1024)) { range, _ in
                        for r in range {
                            var best = 0, bestDistance = Double.infinity
                            for c in 0..<m {
                                let distance = -2 * VectorMath.dot(xv + r * d, cv + c * d, d) + norms[c]
                                if distance < bestDistance { bestDistance = distance; best = c }
                            }
                            o[r] = Double(labels[best])
                        }
                    }
                }
            }
        }
        return out
    }

    public var summary: JSONObject {
        var o = JSONObject()
        o["subclusters"] = .int(centres.rows)
        o["n_clusters"] = .int(clusterCount)
        return o
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(centres.rows); writer.write(centres.columns); writer.write(centres.values)
        writer.write(labels); writer.write(clusterCount)
    }

    public init(from reader: inout ByteReader) throws {
        centres = try SVMInputs.readMatrix(&reader)
        labels = try reader.readInts()
        clusterCount = try reader.readInt()
        guard labels.count == centres.rows, centres.rows > 0 else { throw MMPError.corrupt("a stored Birch model has \(labels.count) labels for \(centres.rows) subclusters") }
    }
}

/// Ward's agglomerative clustering of points (each of weight one) by the nearest-neighbour
/// chain, with distances computed from cluster centroids and sizes — Ward's distance
/// √(2|A||B|/(|A|+|B|))·|c_A - c_B| is what scipy's Lance–Williams updates compute — so memory
/// stays linear in the points. The merges are then applied in order of distance until
/// `clusters` remain. Labels number the clusters by their first point.
enum WardClustering {
    static func labels(points: [Double], count m: Int, features d: Int, clusters: Int) -> [Int] {
        guard m > clusters else { return Array(0..<m) }
        var centroid = points
        var size = [Double](repeating: 1, count: m)
        var active = [Bool](repeating: true, count: m)
        var merges: [(a: Int, b: Int, distance: Double)] = []
        var chain: [Int] = []
        func distance(_ a: Int, _ b: Int) -> Double {
            var s = 0.0
            for f in 0..<d { let v = centroid[a * d + f] - centroid[b * d + f]; s += v * v }
            return 2 * size[a] * size[b] / (size[a] + size[b]) * s
        }
        var remaining = m
        var nextStart = 0
        while remaining > 1 {
            if chain.isEmpty {
                while !active[nextStart] { nextStart += 1 }
                chain.append(nextStart)
            }
            let top = chain[chain.count - 1]
            let previous = chain.count > 1 ? chain[chain.count - 2] : -1
            // Nearest active neighbour of the chain's top; the previous element wins ties, which
            // guarantees the chain ends in a reciprocal pair.
            var nearest = previous, best = previous >= 0 ? distance(top, previous) : Double.infinity
            for c in 0..<m where active[c] && c != top {
                let v = distance(top, c)
                if v < best { best = v; nearest = c }
            }
            if nearest == previous {
                chain.removeLast(2)
                let (a, b) = (min(top, nearest), max(top, nearest))
                merges.append((a, b, best))
                // Cluster a becomes the union; b retires.
                let total = size[a] + size[b]
                for f in 0..<d { centroid[a * d + f] = (centroid[a * d + f] * size[a] + centroid[b * d + f] * size[b]) / total }
                size[a] = total
                active[b] = false
                remaining -= 1
            } else {
                chain.append(nearest)
            }
        }
        // Undo the largest merges: apply the m - clusters smallest (stable for ties).
        let order = merges.indices.sorted { merges[$0].distance < merges[$1].distance || (merges[$0].distance == merges[$1].distance && $0 < $1) }
        var parent = Array(0..<m)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        for index in order.prefix(m - clusters) {
            let ra = find(merges[index].a), rb = find(merges[index].b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        var number: [Int: Int] = [:]
        return (0..<m).map { p in
            let root = find(p)
            if let k = number[root] { return k }
            number[root] = number.count
            return number[root]!
        }
    }
}
