/// A clustering feature: the count, linear sum and squared sum of the rows it summarises
/// (scikit-learn's _CFSubcluster), with a child node when it summarises a subtree.
final class ClusteringFeature {
    var count: Int
    var linearSum: [Double]
    var squaredSum: Double
    var centroid: [Double]
    var squaredNorm: Double
    var child: CFNode?

    /// An empty feature (a split's new parent entry).
    init(features d: Int) {
        count = 0; linearSum = [Double](repeating: 0, count: d); squaredSum = 0
        centroid = linearSum; squaredNorm = 0
    }

    /// One row.
    init(row: [Double]) {
        count = 1; linearSum = row; centroid = row
        squaredNorm = Birch.dot(row, row); squaredSum = squaredNorm
    }

    /// Adds another feature's statistics (scikit-learn's update).
    func absorb(_ other: ClusteringFeature) {
        count += other.count
        for f in linearSum.indices { linearSum[f] += other.linearSum[f] }
        squaredSum += other.squaredSum
        // Divided, not multiplied by 1/n: scikit-learn's rounding, so near-ties go the same way.
        let n = Double(count)
        centroid = linearSum.map { $0 / n }
        squaredNorm = Birch.dot(centroid, centroid)
    }

    /// Merges `other` in if the merged radius stays within `threshold` (scikit-learn's
    /// merge_subcluster: r² = Σ|x|²/n - |c|²).
    func mergeIfClose(_ other: ClusteringFeature, threshold: Double) -> Bool {
        let newSquaredSum = squaredSum + other.squaredSum
        var newLinearSum = linearSum
        for f in newLinearSum.indices { newLinearSum[f] += other.linearSum[f] }
        let newCount = count + other.count
        let newCentroid = newLinearSum.map { (1 / Double(newCount)) * $0 }
        let newSquaredNorm = Birch.dot(newCentroid, newCentroid)
        guard newSquaredSum / Double(newCount) - newSquaredNorm <= threshold * threshold else { return false }
        count = newCount; linearSum = newLinearSum; squaredSum = newSquaredSum
        centroid = newCentroid; squaredNorm = newSquaredNorm
        return true
    }
}

/// A node of the CF tree (scikit-learn's _CFNode): up to branching_factor features; leaves are
/// chained so their subclusters can be read in order.
final class CFNode {
    let isLeaf: Bool
    var entries: [ClusteringFeature] = []
    weak var previousLeaf: CFNode?
    var nextLeaf: CFNode?

    init(isLeaf: Bool) { self.isLeaf = isLeaf }

    /// Inserts `feature` below this node; returns true when this node now holds more than
    /// `branching` entries and must be split by its parent.
    func insert(_ feature: ClusteringFeature, threshold: Double, branching: Int) -> Bool {
        guard !entries.isEmpty else { entries.append(feature); return false }
        // The closest entry by |c|² - 2 c·x (the row's own norm does not change the order).
        var closest = 0, best = Double.infinity
        for (k, e) in entries.enumerated() {
            let distance = -2 * Birch.dot(e.centroid, feature.centroid) + e.squaredNorm
            if distance < best { best = distance; closest = k }
        }
        let entry = entries[closest]
        if let child = entry.child {
            if !child.insert(feature, threshold: threshold, branching: branching) {
                entry.absorb(feature)
                return false
            }
            let (first, second) = Birch.split(child, features: feature.linearSum.count)
            entries[closest] = first
            entries.append(second)
            return entries.count > branching
        }
        if entry.mergeIfClose(feature, threshold: threshold) { return false }
        entries.append(feature)
        return entries.count > branching
    }
}

enum Birch {
    @inline(__always)
    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }

    /// Splits an overfull node in two around its farthest pair of entries, each entry going to
    /// the nearer of the two (scikit-learn's _split_node); returns the two new parent entries.
    static func split(_ node: CFNode, features d: Int) -> (ClusteringFeature, ClusteringFeature) {
        let first = ClusteringFeature(features: d), second = ClusteringFeature(features: d)
        let left = CFNode(isLeaf: node.isLeaf), right = CFNode(isLeaf: node.isLeaf)
        first.child = left
        second.child = right
        if node.isLeaf {
            node.previousLeaf?.nextLeaf = left
            left.previousLeaf = node.previousLeaf
            left.nextLeaf = right
            right.previousLeaf = left
            right.nextLeaf = node.nextLeaf
            node.nextLeaf?.previousLeaf = right
        }
        let entries = node.entries, m = entries.count
        // Squared distances as scikit-learn's euclidean_distances: (-2 a·b + |a|²) + |b|², at
        // least 0, 0 on the diagonal; the first largest in row-major order is the farthest pair.
        let norms = entries.map { dot($0.centroid, $0.centroid) }
        var distances = [Double](repeating: 0, count: m * m)
        var far = (0, 0), farthest = -Double.infinity
        for a in 0..<m {
            for b in 0..<m {
                let v = a == b ? 0 : max(0, (-2 * dot(entries[a].centroid, entries[b].centroid) + norms[a]) + norms[b])
                distances[a * m + b] = v
                if v > farthest { farthest = v; far = (a, b) }
            }
        }
        for (k, entry) in entries.enumerated() {
            let closerToFirst = k == far.0 || distances[far.0 * m + k] < distances[far.1 * m + k]
            if closerToFirst {
                left.entries.append(entry); first.absorb(entry)
            } else {
                right.entries.append(entry); second.absorb(entry)
            }
        }
        return (first, second)
    }
}
