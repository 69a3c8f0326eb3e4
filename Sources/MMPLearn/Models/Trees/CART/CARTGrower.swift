import MMPCore

/// The best split of a node found so far.
struct CandidateSplit {
    var feature = -1
    /// Rows with value <= threshold go left (raw values); `bin` is the same cut on binned data.
    var threshold = 0.0
    var bin = 0
    var missingLeft = false
    /// The criterion's split proxy: lower is better.
    var proxy = Double.infinity
    /// Statistics and row count of the left child.
    var left: [Double] = []
    var leftRows = 0
    var isValid: Bool { feature >= 0 }

    /// Copies the left statistics in place (no allocation once the array exists: better
    /// candidates turn up many times per node).
    @inline(__always)
    mutating func setLeft(_ stats: UnsafePointer<Double>, _ count: Int) {
        if left.count != count { left = [Double](repeating: 0, count: count) }
        for k in 0..<count { left[k] = stats[k] }
    }
}

/// How one CART learner looks for a node's best split on one feature, and sends rows left or
/// right. The exact learner sorts the node's values; the binned one builds histograms.
protocol FeatureSplitFinder {
    /// Considers splits of `rows` on `feature`; replaces `best` with a better one. Returns
    /// false when the feature is constant over these rows (it then does not count toward
    /// `max_features`, as in scikit-learn).
    mutating func evaluate(feature: Int, rows: UnsafeMutableBufferPointer<Int32>, node: UnsafePointer<Double>,
                           best: inout CandidateSplit) -> Bool
    func goesLeft(_ row: Int32, _ split: CandidateSplit) -> Bool
}

/// A node waiting to be grown: its rows are `indices[start ..< end]`.
private struct PendingNode {
    var node: Int
    var start: Int
    var end: Int
    var depth: Int
    var stats: [Double]
}

/// Grows a CART tree depth-first as scikit-learn does: a node becomes a leaf when it is too
/// deep, too small, pure, or has no split that decreases impurity enough; otherwise it takes
/// the best split over `max_features` features drawn without replacement.
struct CARTGrower<Finder: FeatureSplitFinder> {
    var finder: Finder
    let settings: CARTSettings
    let classes: Int
    let features: Int
    let target: [Double]
    /// Per-row weights (bootstrap counts), or nil for 1 each.
    let weights: [Double]?

    /// Grows a tree over `rows` (each appearing once). Returns it with its unnormalised
    /// impurity-decrease importances (weighted by node weight / root weight).
    mutating func grow(rows: [Int32], generator: inout SeededGenerator) -> (Tree, [Double]) {
        let criterion = settings.criterion
        let S = criterion.statCount(classes: classes)
        var tree = Tree(outputs: criterion.isClassification ? classes : 1)
        var importances = [Double](repeating: 0, count: features)
        var indices = rows
        var scratch = [Int32](repeating: 0, count: rows.count)

        var rootStats = [Double](repeating: 0, count: S)
        rootStats.withUnsafeMutableBufferPointer { s in
            for r in rows { criterion.add(s.baseAddress!, target: target[Int(r)], weight: weights?[Int(r)] ?? 1) }
        }
        let totalWeight = rootStats.withUnsafeBufferPointer { criterion.weight($0.baseAddress!, S) }

        // Depth-first (scikit-learn's DepthFirstTreeBuilder) without a leaf cap; with
        // `max_leaf_nodes`, best-first: the frontier node whose split decreases impurity most is
        // split next, until the tree has that many leaves (its BestFirstTreeBuilder).
        let bestFirst = settings.maxLeafNodes < Int.max
        var splitsLeft = bestFirst ? max(settings.maxLeafNodes - 1, 0) : Int.max
        var frontier: [(item: PendingNode, split: CandidateSplit, decrease: Double)] = []
        var stack = [PendingNode(node: tree.addPlaceholder(), start: 0, end: rows.count, depth: 0, stats: rootStats)]
        var order = Array(0..<features)
        var right = [Double](repeating: 0, count: S)

        // The node's best split and its weighted impurity decrease (an invalid split: a leaf).
        func evaluate(_ item: PendingNode) -> (CandidateSplit, Double) {
            let n = item.end - item.start
            let (weight, impurity) = item.stats.withUnsafeBufferPointer { s in
                (criterion.weight(s.baseAddress!, S), criterion.impurity(s.baseAddress!, S))
            }
            var split = CandidateSplit()
            let mayAttempt = item.depth < settings.maxDepth && n >= settings.minSamplesSplit
                && n >= 2 * settings.minSamplesLeaf && impurity > 1e-12
            if mayAttempt {
                split = bestSplit(item.stats, rows: item.start..<item.end, indices: &indices, order: &order, generator: &generator)
            }
            var childImpurity: (Double, Double) = (0, 0), childWeight: (Double, Double) = (0, 0)
            guard split.isValid else { return (split, 0) }
            for k in 0..<S { right[k] = item.stats[k] - split.left[k] }
            split.left.withUnsafeBufferPointer { l in
                right.withUnsafeBufferPointer { r in
                    childWeight = (criterion.weight(l.baseAddress!, S), criterion.weight(r.baseAddress!, S))
                    childImpurity = (criterion.impurity(l.baseAddress!, S), criterion.impurity(r.baseAddress!, S))
                }
            }
            let decrease = weight * impurity - childWeight.0 * childImpurity.0 - childWeight.1 * childImpurity.1
            if decrease / totalWeight + 1e-12 < settings.minImpurityDecrease || childWeight.0 <= 0 || childWeight.1 <= 0 {
                return (CandidateSplit(), 0)
            }
            return (split, decrease)
        }

        // Splits the node; returns its children (left, right).
        func apply(_ item: PendingNode, _ split: CandidateSplit, _ decrease: Double) -> (PendingNode, PendingNode) {
            importances[split.feature] += decrease / totalWeight
            var rightStats = [Double](repeating: 0, count: S)
            for k in 0..<S { rightStats[k] = item.stats[k] - split.left[k] }
            // Stable partition: left rows first, each side in its previous order.
            var nl = item.start, nr = 0
            for i in item.start..<item.end {
                let r = indices[i]
                if finder.goesLeft(r, split) { indices[nl] = r; nl += 1 } else { scratch[nr] = r; nr += 1 }
            }
            for i in 0..<nr { indices[nl + i] = scratch[i] }
            let left = tree.split(item.node, feature: split.feature, threshold: split.threshold, missingLeft: split.missingLeft)
            return (PendingNode(node: left, start: item.start, end: nl, depth: item.depth + 1, stats: split.left),
                    PendingNode(node: left + 1, start: nl, end: item.end, depth: item.depth + 1, stats: rightStats))
        }

        func makeLeaf(_ item: PendingNode) {
            item.stats.withUnsafeBufferPointer { tree.makeLeaf(item.node, criterion.leafValues($0.baseAddress!, S)) }
        }

        if bestFirst {
            let root = stack.removeLast()
            let (split, decrease) = evaluate(root)
            frontier.append((root, split, decrease))
            while !frontier.isEmpty {
                // The largest decrease first; among equals the earliest node (a stable choice).
                var best = 0
                for i in 1..<frontier.count where frontier[i].decrease > frontier[best].decrease { best = i }
                let (item, split, decrease) = frontier.remove(at: best)
                guard split.isValid, splitsLeft > 0 else { makeLeaf(item); continue }
                splitsLeft -= 1
                let (l, r) = apply(item, split, decrease)
                for child in [l, r] {
                    let (s, d) = evaluate(child)
                    frontier.append((child, s, d))
                }
            }
        } else {
            while let item = stack.popLast() {
                let (split, decrease) = evaluate(item)
                guard split.isValid else { makeLeaf(item); continue }
                let (l, r) = apply(item, split, decrease)
                // Right pushed first so the left subtree is grown first (scikit-learn's order).
                stack.append(r)
                stack.append(l)
            }
        }
        return (tree, importances)
    }

    /// Draws features in random order (every feature, in order, when all are used) until
    /// `maxFeatures` have been looked at and one of them was not constant.
    private mutating func bestSplit(_ stats: [Double], rows: Range<Int>, indices: inout [Int32], order: inout [Int],
                                    generator: inout SeededGenerator) -> CandidateSplit {
        var best = CandidateSplit()
        let useAll = settings.maxFeatures >= features
        var remaining = features
        var visited = 0, informative = 0
        indices.withUnsafeMutableBufferPointer { all in
            let slice = UnsafeMutableBufferPointer(rebasing: all[rows])
            stats.withUnsafeBufferPointer { node in
                while remaining > 0 && (visited < settings.maxFeatures || informative == 0) {
                    let f: Int
                    if useAll {
                        f = features - remaining
                    } else {
                        order.swapAt(generator.uniform(remaining), remaining - 1)
                        f = order[remaining - 1]
                    }
                    remaining -= 1
                    visited += 1
                    if finder.evaluate(feature: f, rows: slice, node: node.baseAddress!, best: &best) { informative += 1 }
                }
            }
        }
        return best
    }
}
