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

/// A leaf of the tree being grown: its rows are `indices[start ..< start + count]`.
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
    /// Each leaf's rows (a range of the grower's `indices`) and raw value (before shrinkage).
    var leaves: [GrowingLeaf]
    /// Gain of each split by feature.
    var gains: [Double]
}

/// Grows one regression tree on gradients and hessians, leaf-wise (best-first) as LightGBM
/// does: the leaf whose best split gains most is split next, until `numLeaves` leaves.
///
/// Split finding uses histograms of (gradient, hessian) per feature bin. Only the smaller child
/// of a split gets a histogram built from its rows; the larger one's is the parent's minus the
/// smaller's. Histograms are built feature by feature from column-major bins, features in
/// parallel: each feature's sum runs in row order on one thread, so the result is the same on
/// any number of threads. Rows carry no count: as in LightGBM, a bin's row count is estimated
/// from its hessian (exact when hessians are constant, as for squared error).
final class HistogramTreeGrower {
    let data: BinnedMatrix
    let pool: WorkerPool
    let limits: GrowthLimits
    let featureCount: Int
    let histogramSize: Int
    /// Per feature: real bins, and whether any training value is missing.
    let binCounts: [Int]
    let hasMissing: [Bool]

    /// Row indices, grouped by leaf: each leaf owns a contiguous range.
    let indices: UnsafeMutableBufferPointer<Int32>
    private let scratchLeft: UnsafeMutableBufferPointer<Int32>
    private let scratchRight: UnsafeMutableBufferPointer<Int32>
    /// A leaf's (gradient, hessian) pairs gathered in its row order.
    private let ordered: UnsafeMutableBufferPointer<SIMD2<Double>>
    /// Histogram buffers: one per leaf for trees of up to `slotCount` leaves; larger trees
    /// (unlimited `num_leaves`) keep histograms as a cache within `histogramBudget` bytes and rebuild a
    /// leaf's children from their rows when its histogram was given up.
    private let histograms: UnsafeMutableBufferPointer<SIMD2<Double>>
    private let slotCount: Int
    private let offsets: UnsafeMutableBufferPointer<Int32>

    /// Rows in the current tree's sample (the first `activeRows` of `indices` after `reset`).
    private(set) var activeRows = 0
    private var allRowsActive = true

    init(data: BinnedMatrix, limits: GrowthLimits, pool: WorkerPool, histogramBudget: Int = 128 << 20) {
        precondition(data.rowStride == 1, "the grower reads column-major bins")
        self.data = data
        self.pool = pool
        self.limits = limits
        featureCount = data.features
        histogramSize = data.histogramSize
        binCounts = data.mappers.map(\.binCount)
        hasMissing = data.missingCounts.map { $0 > 0 }
        indices = .allocate(capacity: max(1, data.rows))
        scratchLeft = .allocate(capacity: max(1, data.rows))
        scratchRight = .allocate(capacity: max(1, data.rows))
        ordered = .allocate(capacity: max(1, data.rows))
        let budget = histogramBudget / max(1, data.histogramSize * MemoryLayout<SIMD2<Double>>.stride)
        slotCount = max(3, min(limits.numLeaves, budget))
        histograms = .allocate(capacity: max(1, slotCount * data.histogramSize))
        offsets = .allocate(capacity: max(1, data.features))
        for f in 0..<data.features { offsets[f] = Int32(data.histogramOffsets[f]) }
    }

    deinit {
        indices.deallocate(); scratchLeft.deallocate(); scratchRight.deallocate(); ordered.deallocate()
        histograms.deallocate(); offsets.deallocate()
    }

    /// Makes the next tree train on `rows` (ascending), or on every row when nil.
    func reset(rows: [Int]?) {
        if let rows {
            for (i, r) in rows.enumerated() { indices[i] = Int32(r) }
            activeRows = rows.count
            allRowsActive = rows.count == data.rows
        } else {
            for i in 0..<data.rows { indices[i] = Int32(i) }
            activeRows = data.rows
            allRowsActive = true
        }
    }

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
        var root = GrowingLeaf(node: rootNode, start: 0, count: activeRows, gradient: 0, hessian: 0, depth: 0, slot: freeSlots.removeLast())
        if activeRows > 0 {
            buildHistogram(slot: root.slot, start: 0, count: activeRows, gradients: gradients, features: features)
            // The totals are any feature's histogram summed (every row falls in one bin of it).
            let f0 = features.first ?? 0
            var total = SIMD2<Double>(0, 0)
            let h = histograms.baseAddress! + root.slot * histogramSize + Int(offsets[f0])
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

            let leftCount = partition(start: parent.start, count: parent.count, feature: s.feature, bin: s.bin, missingLeft: s.missingLeft)
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
            let h = base + Int(offsets[f])
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

    /// Fills histogram `slot` from the rows `indices[start ..< start + count]`: gathers their
    /// gradients in row order once (unless the rows are all rows, in order), then walks each
    /// feature's column of bins, a megabyte for a million rows, which stays in cache while the
    /// rows are scattered over it.
    private func buildHistogram(slot: Int, start: Int, count: Int, gradients: UnsafePointer<SIMD2<Float>>, features: [Int]) {
        let target = histograms.baseAddress! + slot * histogramSize
        let identity = allRowsActive && start == 0 && count == data.rows
        let index = UnsafePointer(indices.baseAddress! + start)
        let og = ordered.baseAddress!
        if !identity {
            let gather = { (range: Range<Int>) in
                for i in range {
                    let g = gradients[Int(index[i])]
                    og[i] = SIMD2(Double(g.x), Double(g.y))
                }
            }
            if count < 65_536 || pool.width == 1 {
                gather(0..<count)
            } else {
                pool.forEachChunk(count: count, chunk: pool.chunkSize(for: count, minimum: 16_384)) { range, _ in gather(range) }
            }
        }
        let columns = UnsafePointer(data.codes.baseAddress!)
        let rows = data.rows
        let offsets = self.offsets.baseAddress!
        let binCounts = self.binCounts
        let body = { (k: Int) in
            let f = features[k]
            let h = target + Int(offsets[f])
            h.update(repeating: SIMD2(0, 0), count: binCounts[f] + 1)
            let column = columns + f * rows
            if identity {
                for i in 0..<count {
                    let g = gradients[i]
                    h[Int(column[i])] += SIMD2(Double(g.x), Double(g.y))
                }
            } else {
                for i in 0..<count { h[Int(column[Int(index[i])])] += og[i] }
            }
        }
        // Small leaves are not worth waking the other threads for.
        if count < 4096 || pool.width == 1 {
            for k in 0..<features.count { body(k) }
        } else {
            pool.run(tasks: features.count) { k, _ in body(k) }
        }
    }

    /// Histogram `parent` becomes parent minus `child` (the sibling's histogram).
    private func subtract(from parent: Int, _ child: Int) {
        let p = histograms.baseAddress! + parent * histogramSize
        let c = histograms.baseAddress! + child * histogramSize
        for i in 0..<histogramSize { p[i] -= c[i] }
    }

    // MARK: - Partition

    /// Reorders `indices[start ..< start + count]` so the rows that go left come first (each
    /// side keeps ascending order); returns how many go left.
    private func partition(start: Int, count: Int, feature: Int, bin: Int, missingLeft: Bool) -> Int {
        let column = UnsafePointer(data.codes.baseAddress! + feature * data.featureStride)
        let threshold = UInt8(truncatingIfNeeded: bin)
        let missingBin = UInt8(truncatingIfNeeded: binCounts[feature])
        let index = indices.baseAddress!, lefts = scratchLeft.baseAddress!, rights = scratchRight.baseAddress!
        let chunk = pool.width > 1 && count >= 65_536 ? pool.chunkSize(for: count, minimum: 16_384) : count
        let chunks = (count + chunk - 1) / chunk
        var leftCounts = [Int](repeating: 0, count: chunks)
        leftCounts.withUnsafeMutableBufferPointer { leftCounts in
            let leftCounts = leftCounts.baseAddress!
            // Pass 1: each chunk splits its rows into the scratch buffers at its own offset.
            pool.run(tasks: chunks) { c, _ in
                let lower = start + c * chunk, upper = min(start + count, lower + chunk)
                var nl = lower, nr = lower
                for i in lower..<upper {
                    let r = index[i]
                    let code = column[Int(r)]
                    let goLeft = code == missingBin ? missingLeft : code <= threshold
                    // Branch-free: write to both sides, advance one. Which side a row takes is
                    // a coin flip to the branch predictor.
                    let step = Int(unsafeBitCast(goLeft, to: UInt8.self))
                    lefts[nl] = r
                    rights[nr] = r
                    nl += step
                    nr += 1 - step
                }
                leftCounts[c] = nl - lower
            }
        }
        var leftOffsets = [Int](repeating: 0, count: chunks), rightOffsets = [Int](repeating: 0, count: chunks)
        var totalLeft = 0
        for c in 0..<chunks { leftOffsets[c] = totalLeft; totalLeft += leftCounts[c] }
        var totalRight = 0
        for c in 0..<chunks {
            rightOffsets[c] = totalRight
            totalRight += min(chunk, count - c * chunk) - leftCounts[c]
        }
        // Pass 2: copy each chunk's two runs into place.
        pool.run(tasks: chunks) { c, _ in
            let lower = start + c * chunk
            let nl = leftCounts[c], nr = min(chunk, count - c * chunk) - nl
            (index + start + leftOffsets[c]).update(from: lefts + lower, count: nl)
            (index + start + totalLeft + rightOffsets[c]).update(from: rights + lower, count: nr)
        }
        return totalLeft
    }
}
