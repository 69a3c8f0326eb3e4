/// A k-d tree over training rows for exact neighbour search in few dimensions, where pruning by
/// bounding boxes skips most rows (scikit-learn's `algorithm='auto'` picks one below 16
/// features for the same reason). Nodes split the widest feature at its median; leaves hold at
/// most `leafSize` rows, stored contiguously in tree order.
struct KDTree: Sendable {
    struct Node: Sendable {
        var start: Int
        var end: Int
        /// Child node numbers; -1 for a leaf.
        var left: Int
        var right: Int
    }

    let features: Int
    /// Training row number of each position in tree order.
    let order: [Int]
    /// Rows in tree order, row-major.
    let points: [Double]
    let nodes: [Node]
    /// Bounding boxes, `nodes.count × features` each.
    let lower: [Double]
    let upper: [Double]

    init(values: [Double], rows: Int, columns: Int, leafSize: Int) {
        features = columns
        var order = Array(0..<rows)
        var nodes: [Node] = []
        var lower: [Double] = [], upper: [Double] = []
        let leafSize = max(1, leafSize)
        // Builds the node for order[start..<end] and returns its number.
        func build(_ start: Int, _ end: Int) -> Int {
            let id = nodes.count
            nodes.append(Node(start: start, end: end, left: -1, right: -1))
            var lo = [Double](repeating: .infinity, count: columns)
            var hi = [Double](repeating: -.infinity, count: columns)
            for p in start..<end {
                let r = order[p] * columns
                for f in 0..<columns { lo[f] = min(lo[f], values[r + f]); hi[f] = max(hi[f], values[r + f]) }
            }
            lower += lo
            upper += hi
            guard end - start > leafSize else { return id }
            var axis = 0
            for f in 1..<max(1, columns) where hi[f] - lo[f] > hi[axis] - lo[axis] { axis = f }
            if hi[axis] - lo[axis] <= 0 { return id }  // all rows equal: a leaf, however big
            let mid = (start + end) / 2
            KDTree.select(&order, start, end, nth: mid) { (values[$0 * columns + axis], $0) < (values[$1 * columns + axis], $1) }
            let left = build(start, mid)
            let right = build(mid, end)
            nodes[id].left = left
            nodes[id].right = right
            return id
        }
        if rows > 0 { _ = build(0, rows) }
        var points = [Double](repeating: 0, count: rows * columns)
        for (p, r) in order.enumerated() { for f in 0..<columns { points[p * columns + f] = values[r * columns + f] } }
        self.order = order
        self.points = points
        self.nodes = nodes
        self.lower = lower
        self.upper = upper
    }

    /// Quickselect (Hoare partition, middle pivot): afterwards `items[nth]` is the element a
    /// full sort would put there, smaller ones before it and larger ones after. Linear on
    /// average, where sorting each node made building the tree O(n log² n).
    static func select(_ items: inout [Int], _ start: Int, _ end: Int, nth: Int, by less: (Int, Int) -> Bool) {
        var lo = start, hi = end - 1
        while lo < hi {
            let pivot = items[(lo + hi) / 2]
            var i = lo, j = hi
            while i <= j {
                while less(items[i], pivot) { i += 1 }
                while less(pivot, items[j]) { j -= 1 }
                if i <= j { items.swapAt(i, j); i += 1; j -= 1 }
            }
            if nth <= j { hi = j } else if nth >= i { lo = i } else { return }
        }
    }

    /// Offers every row that could be among the query's k nearest to `list`.
    func search(_ q: UnsafePointer<Double>, metric: DistanceMetric, into list: inout NeighborList) {
        guard !nodes.isEmpty else { return }
        points.withUnsafeBufferPointer { pts in
            lower.withUnsafeBufferPointer { lo in
                upper.withUnsafeBufferPointer { hi in
                    // Explicit stack of (node, lower bound of its reduced distance).
                    var stack: [(Int, Double)] = [(0, bound(0, q, metric, lo, hi))]
                    stack.reserveCapacity(64)
                    while let (id, minimum) = stack.popLast() {
                        // `>` and not `>=`: an equally distant row with a smaller index may still win.
                        if minimum > list.worst { continue }
                        let node = nodes[id]
                        if node.left < 0 {
                            for p in node.start..<node.end {
                                list.offer(metric.reduced(q, pts.baseAddress! + p * features, features: features), order[p])
                            }
                            continue
                        }
                        let bl = bound(node.left, q, metric, lo, hi), br = bound(node.right, q, metric, lo, hi)
                        // Push the farther child first so the nearer one is searched first.
                        if bl <= br {
                            stack.append((node.right, br)); stack.append((node.left, bl))
                        } else {
                            stack.append((node.left, bl)); stack.append((node.right, br))
                        }
                    }
                }
            }
        }
    }

    @inline(__always) private func bound(_ id: Int, _ q: UnsafePointer<Double>, _ metric: DistanceMetric,
                                         _ lo: UnsafeBufferPointer<Double>, _ hi: UnsafeBufferPointer<Double>) -> Double {
        var s = 0.0
        let base = id * features
        for f in 0..<features {
            let gap = max(lo[base + f] - q[f], 0, q[f] - hi[base + f])
            s = metric.accumulate(s, gap: gap)
        }
        return s
    }
}
