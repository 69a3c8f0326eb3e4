import MMPCore

/// What limits one boosted tree (LightGBM's names in comments).
struct GrowthLimits: Sendable {
    var numLeaves: Int              // num_leaves
    var maxDepth: Int               // max_depth (Int.max: unlimited)
    var minChildSamples: Int        // min_data_in_leaf
    var minChildWeight: Double      // min_sum_hessian_in_leaf
    var lambda: Double              // lambda_l2
    var alpha: Double               // lambda_l1
    var minSplitGain: Double        // min_gain_to_split
}

/// The best split found for one leaf.
struct LeafSplit {
    var feature = -1
    var bin = 0
    var missingLeft = false
    var gain = -Double.infinity     // improvement over not splitting
    var leftGradient = 0.0, leftHessian = 0.0, leftCount = 0
    var isValid: Bool { feature >= 0 }
}

/// A leaf of the tree being grown: its rows are `partition.indices[start ..< start + count]`.
struct GrowingLeaf {
    var node: Int
    var start: Int
    var count: Int
    var gradient: Double
    var hessian: Double
    var depth: Int
    var slot: Int                   // which histogram buffer holds this leaf's histogram
    var split = LeafSplit()
}

/// One grown tree, with what the booster needs besides the tree itself.
struct GrownTree {
    var tree: Tree
    /// Per node: the split's bin (the binned form of `tree.threshold`), for training rows and
    /// validation rows, which are kept binned.
    var splitBins: [UInt8]
    /// Each leaf's rows (a range of the grower's `partition.indices`) and raw value (unshrunk).
    var leaves: [GrowingLeaf]
    /// Gain of each split by feature.
    var gains: [Double]
}

/// Grows one regression tree on gradients and hessians, leaf-wise (best-first) as LightGBM
/// does: the leaf whose best split gains most is split next, until `numLeaves` leaves.
///
/// Split finding uses histograms of (gradient, hessian) per feature bin. Only the smaller child
/// of a split gets a histogram built from its rows (`HistogramBuilder`); the larger one's is the
/// parent's minus the smaller's. `RowPartition` keeps each leaf's rows. Rows carry no count: as
/// in LightGBM, a bin's row count is estimated from its hessian (exact when hessians are
/// constant, as for squared error).
final class HistogramTreeGrower {
    let data: BinnedMatrix
    let pool: WorkerPool
    let limits: GrowthLimits
    let featureCount: Int
    let histogramSize: Int
    /// Per feature: real bins, and whether any training value is missing.
    let binCounts: [Int]
    let hasMissing: [Bool]

    /// The rows of each leaf (a range of `partition.indices`).
    let partition: RowPartition
    private let builder: HistogramBuilder
    /// Histogram buffers: one per leaf for trees of up to `slotCount` leaves; larger trees
    /// (unlimited `num_leaves`) keep histograms as a cache within `histogramBudget` bytes and rebuild a
    /// leaf's children from their rows when its histogram was given up.
    private let histograms: UnsafeMutableBufferPointer<SIMD2<Double>>
    private let slotCount: Int

    init(data: BinnedMatrix, limits: GrowthLimits, pool: WorkerPool, histogramBudget: Int = 128 << 20) {
        precondition(data.rowStride == 1, "the grower reads column-major bins")
        self.data = data
        self.pool = pool
        self.limits = limits
        featureCount = data.features
        histogramSize = data.histogramSize
        binCounts = data.mappers.map(\.binCount)
        hasMissing = data.missingCounts.map { $0 > 0 }
        partition = RowPartition(rows: data.rows)
        builder = HistogramBuilder(data: data, pool: pool)
        let budget = histogramBudget / max(1, data.histogramSize * MemoryLayout<SIMD2<Double>>.stride)
        slotCount = max(3, min(limits.numLeaves, budget))
        histograms = .allocate(capacity: max(1, slotCount * data.histogramSize))
    }

    deinit { histograms.deallocate() }

    /// Makes the next tree train on `rows` (ascending), or on every row when nil.
    func reset(rows: [Int]?) { partition.reset(rows: rows) }

    /// Grows one tree on per-row (gradient, hessian) pairs. `features` lists the features the
    /// tree may split on. Leaf values are the raw Newton steps, -G / (H + lambda), unshrunk.
    func grow(gradients: UnsafePointer<SIMD2<Float>>, features: [Int]) -> GrownTree {
        var tree = Tree(outputs: 1)
        var splitBins: [UInt8] = []
        var gains = [Double](repeating: 0, count: featureCount)
        var freeSlots = Array((0..<slotCount).reversed())
        var leaves: [GrowingLeaf] = []
        var queue = SplitQueue()

        /// A free histogram buffer; when none is, the one of the cached leaf least likely to be
        /// split soon (lowest gain) is given up, never one of `keep`.
        func takeSlot(keep: Int) -> Int {
            if let slot = freeSlots.popLast() { return slot }
            var victim = -1
            for (i, leaf) in leaves.enumerated() where i != keep && leaf.slot >= 0 {
                if victim < 0 || leaf.split.gain < leaves[victim].split.gain { victim = i }
            }
            let slot = leaves[victim].slot
            leaves[victim].slot = -1
            return slot
        }
        /// Finds the leaf's best split; a leaf with one waits in the queue, holding its histogram.
        func settle(_ leaf: inout GrowingLeaf, index: Int, mayAttempt: Bool) {
            if mayAttempt && leaf.slot >= 0 { leaf.split = bestSplit(leaf, features: features) }
            if leaf.split.isValid {
                queue.push(gain: leaf.split.gain, leaf: index)
            } else if leaf.slot >= 0 {
                freeSlots.append(leaf.slot)
                leaf.slot = -1
            }
        }

        let rootNode = tree.addPlaceholder()
        splitBins.append(0)
        let activeRows = partition.activeRows
        var root = GrowingLeaf(node: rootNode, start: 0, count: activeRows, gradient: 0, hessian: 0, depth: 0, slot: freeSlots.removeLast())
        if activeRows > 0 {
            buildHistogram(slot: root.slot, start: 0, count: activeRows, gradients: gradients, features: features)
            // The totals are any feature's histogram summed (every row falls in one bin of it).
            let f0 = features.first ?? 0
            var total = SIMD2<Double>(0, 0)
            let h = histograms.baseAddress! + root.slot * histogramSize + builder.offsets[f0]
            for b in 0...binCounts[f0] { total += h[b] }
            root.gradient = total.x
            root.hessian = total.y
        }
        settle(&root, index: 0, mayAttempt: activeRows > 0 && canSplit(root))
        leaves.append(root)

        while leaves.count < limits.numLeaves, let chosen = queue.pop() {
            let parent = leaves[chosen]
            let s = parent.split
            gains[s.feature] += s.gain

            let leftCount = partition.split(start: parent.start, count: parent.count,
                                            column: UnsafePointer(data.codes.baseAddress! + s.feature * data.featureStride),
                                            bin: s.bin, missingBin: binCounts[s.feature], missingLeft: s.missingLeft, pool: pool)
            let rightCount = parent.count - leftCount
            let leftNode = tree.split(parent.node, feature: s.feature, threshold: data.mappers[s.feature].threshold(afterBin: s.bin),
                                      missingLeft: s.missingLeft)
            splitBins[parent.node] = UInt8(truncatingIfNeeded: s.bin)
            splitBins.append(0); splitBins.append(0)

            var left = GrowingLeaf(node: leftNode, start: parent.start, count: leftCount,
                                   gradient: s.leftGradient, hessian: s.leftHessian, depth: parent.depth + 1, slot: -1)
            var right = GrowingLeaf(node: leftNode + 1, start: parent.start + leftCount, count: rightCount,
                                    gradient: parent.gradient - s.leftGradient, hessian: parent.hessian - s.leftHessian,
                                    depth: parent.depth + 1, slot: -1)

            // Children get histograms only if one more split can follow and they may split.
            let moreSplits = leaves.count + 1 < limits.numLeaves
            let leftSplits = moreSplits && canSplit(left), rightSplits = moreSplits && canSplit(right)
            if parent.slot >= 0 && (leftSplits || rightSplits) {
                // Build the smaller child; the larger one is the parent minus it.
                let smallerIsLeft = leftCount <= rightCount
                let smallSlot = takeSlot(keep: chosen)
                if smallerIsLeft {
                    buildHistogram(slot: smallSlot, start: left.start, count: left.count, gradients: gradients, features: features)
                } else {
                    buildHistogram(slot: smallSlot, start: right.start, count: right.count, gradients: gradients, features: features)
                }
                let largerSplits = smallerIsLeft ? rightSplits : leftSplits
                if largerSplits { subtract(from: parent.slot, smallSlot) } else { freeSlots.append(parent.slot) }
                let largeSlot = largerSplits ? parent.slot : -1
                if smallerIsLeft { left.slot = smallSlot; right.slot = largeSlot } else { right.slot = smallSlot; left.slot = largeSlot }
            } else {
                if parent.slot >= 0 { freeSlots.append(parent.slot) }
                // The parent's histogram was given up (or is not needed): each child that may
                // split is built from its own rows.
                if leftSplits {
                    left.slot = takeSlot(keep: chosen)
                    buildHistogram(slot: left.slot, start: left.start, count: left.count, gradients: gradients, features: features)
                }
                if rightSplits {
                    leaves[chosen].slot = left.slot  // keep the left child's buffer from being taken
                    right.slot = takeSlot(keep: chosen)
                    buildHistogram(slot: right.slot, start: right.start, count: right.count, gradients: gradients, features: features)
                }
            }
            leaves[chosen] = left
            settle(&leaves[chosen], index: chosen, mayAttempt: leftSplits)
            settle(&right, index: leaves.count, mayAttempt: rightSplits)
            leaves.append(right)
        }

        for leaf in leaves {
            tree.makeLeaf(leaf.node, [leafValue(gradient: leaf.gradient, hessian: leaf.hessian)])
        }
        return GrownTree(tree: tree, splitBins: splitBins, leaves: leaves, gains: gains)
    }

    // MARK: - Split finding

    private func canSplit(_ leaf: GrowingLeaf) -> Bool {
        leaf.depth < limits.maxDepth && leaf.count >= 2 * limits.minChildSamples && leaf.hessian >= 2 * limits.minChildWeight
    }

    @inline(__always)
    private func thresholdL1(_ g: Double) -> Double {
        limits.alpha == 0 ? g : (g > 0 ? max(0, g - limits.alpha) : min(0, g + limits.alpha))
    }

    @inline(__always)
    private func score(_ g: Double, _ h: Double) -> Double {
        let t = thresholdL1(g)
        return t * t / (h + limits.lambda)
    }

    func leafValue(gradient: Double, hessian: Double) -> Double {
        let v = -thresholdL1(gradient) / (hessian + limits.lambda)
        return v.isFinite ? v : 0
    }

    /// The best split of `leaf` over `features`: the one that gains most, if it gains more than
    /// `minSplitGain` and leaves each child at least `minChildSamples` rows and
    /// `minChildWeight` hessian.
    private func bestSplit(_ leaf: GrowingLeaf, features: [Int]) -> LeafSplit {
        var best = LeafSplit()
        let G = leaf.gradient, H = leaf.hessian
        let parentScore = score(G, H)
        let countPerHessian = Double(leaf.count) / H
        let minCount = limits.minChildSamples, minWeight = limits.minChildWeight, minGain = limits.minSplitGain
        let base = histograms.baseAddress! + leaf.slot * histogramSize
        for f in features {
            let bins = binCounts[f]
            if bins < 2 { continue }
            let h = base + builder.offsets[f]
            let missing = h[bins]
            // Missing values go right, then (if the feature has any) left: both are tried.
            for pass in 0..<(hasMissing[f] ? 2 : 1) {
                let missingLeft = pass == 1
                var gl = missingLeft ? missing.x : 0
                var hl = missingLeft ? missing.y : 0
                for t in 0..<(bins - 1) {
                    gl += h[t].x
                    hl += h[t].y
                    let leftCount = Int(hl * countPerHessian + 0.5)
                    if leftCount < minCount || hl < minWeight { continue }
                    if leaf.count - leftCount < minCount { break }
                    let hr = H - hl
                    if hr < minWeight { break }
                    let improvement = score(gl, hl) + score(G - gl, hr) - parentScore
                    if improvement > minGain && improvement > best.gain {
                        best = LeafSplit(feature: f, bin: t, missingLeft: missingLeft, gain: improvement,
                                         leftGradient: gl, leftHessian: hl, leftCount: leftCount)
                    }
                }
            }
            // With no missing values in training, missing ones at prediction follow the larger side.
            if !hasMissing[f], best.feature == f { best.missingLeft = best.leftCount * 2 >= leaf.count }
        }
        return best
    }

    // MARK: - Histograms

    private func buildHistogram(slot: Int, start: Int, count: Int, gradients: UnsafePointer<SIMD2<Float>>, features: [Int]) {
        let target = histograms.baseAddress! + slot * histogramSize
        let all = partition.allRowsActive && start == 0 && count == data.rows
        let rows = all ? nil : UnsafeBufferPointer(start: partition.indices.baseAddress! + start, count: count)
        builder.build(into: target, rows: rows, gradients: gradients, features: features)
    }

    /// Histogram `parent` becomes parent minus `child` (the sibling's histogram).
    private func subtract(from parent: Int, _ child: Int) {
        let p = histograms.baseAddress! + parent * histogramSize
        let c = histograms.baseAddress! + child * histogramSize
        for i in 0..<histogramSize { p[i] -= c[i] }
    }
}
