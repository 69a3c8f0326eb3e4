import MMPCore

/// Settings of a boosting run (LightGBM's names in comments).
struct BoostingSettings: Sendable {
    var iterations: Int             // num_iterations / n_estimators
    var learningRate: Double        // learning_rate
    var limits: GrowthLimits
    var subsample: Double           // bagging_fraction
    var subsampleFrequency: Int     // bagging_freq: a new sample every this many iterations (0: once)
    var colsampleByTree: Double     // feature_fraction
    var maxBins: Int                // max_bin
    var earlyStoppingRounds: Int    // early_stopping_round (0: off)
    /// Memory for cached leaf histograms (LightGBM's histogram_pool_size).
    var histogramBudget: Int = 128 << 20
}

/// A trained boosted ensemble: raw score = initial score + the sum of the trees' leaf values.
struct BoostedEnsemble: Sendable, Equatable {
    /// Features per row it was trained on.
    var featureCount: Int
    /// Trees per iteration (classes for softmax, else 1).
    var outputs: Int
    var initialScores: [Double]
    /// Iteration-major: tree `i * outputs + k` adds to output k.
    var trees: [Tree]
    /// Total split gain per feature.
    var gains: [Double]
    /// Iterations kept (the best one when early stopping ended the run), and iterations run.
    var iterations: Int
    var iterationsRun: Int
    /// Validation loss after each iteration run (empty without validation rows).
    var validationLoss: [Double]

    /// Raw scores, rows × outputs, computed in parallel over row chunks.
    func rawScores(_ x: Matrix, threads: Int = CPUInfo.availableCores) -> [Double] {
        let k = outputs
        var out = [Double](repeating: 0, count: x.rows * k)
        out.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            for r in 0..<x.rows { for j in 0..<k { out[r * k + j] = initialScores[j] } }
            RowParallel.forEachChunk(x, expectedColumns: featureCount, threads: threads) { range, first in
                for (t, tree) in trees.enumerated() {
                    let j = t % k
                    tree.withView { view in
                        for r in range {
                            out[r * k + j] += view.values[view.leafOffset(first + (r - range.lowerBound) * x.columns)]
                        }
                    }
                }
            }
        }
        return out
    }
}

extension BoostedEnsemble: BinaryCodable {
    func encode(to writer: inout ByteWriter) {
        writer.write(featureCount)
        writer.write(outputs)
        writer.write(initialScores)
        writer.write(trees)
        writer.write(gains)
        writer.write(iterations)
        writer.write(iterationsRun)
        writer.write(validationLoss)
    }

    init(from reader: inout ByteReader) throws {
        featureCount = try reader.readInt()
        outputs = try reader.readInt()
        initialScores = try reader.readDoubles()
        trees = try reader.readArray(of: Tree.self)
        gains = try reader.readDoubles()
        iterations = try reader.readInt()
        iterationsRun = try reader.readInt()
        validationLoss = try reader.readDoubles()
        guard outputs > 0, initialScores.count == outputs, trees.count % outputs == 0, gains.count == featureCount,
              trees.allSatisfy({ $0.outputs == 1 && $0.splitsOnly(featuresBelow: featureCount) }) else {
            throw MMPError.corrupt("a stored boosted ensemble does not fit together (\(trees.count) trees, \(outputs) outputs, \(featureCount) features)")
        }
    }
}

/// Gradient boosting on histograms, as LightGBM: bin the features once, then per iteration
/// compute gradients, grow one leaf-wise tree per output on them, and add its shrunk leaf
/// values to the scores. Validation rows (binned with the training bins) give the loss to stop
/// early on.
enum GradientBooster {
    static func train(features x: Matrix, target y: [Double], objective: BoostingObjective, settings: BoostingSettings,
                      validation: EvaluationSet?, context: FitContext) throws -> BoostedEnsemble {
        let n = x.rows, k = objective.outputs
        let pool = WorkerPool(threads: context.threads)
        let mappers = BinnedMatrix.fitMappers(x, maxBins: settings.maxBins, seed: context.seed, pool: pool)
        let binned = BinnedMatrix(x, mappers: mappers, layout: .columnMajor, pool: pool)
        let grower = HistogramTreeGrower(data: binned, limits: settings.limits, pool: pool, histogramBudget: settings.histogramBudget)
        var generator = SeededGenerator(seed: context.seed)

        let initial = objective.initialScores(y)
        var scores = [Double](repeating: 0, count: n * k)
        for r in 0..<n { for j in 0..<k { scores[r * k + j] = initial[j] } }
        let gradientBuffers = (0..<k).map { _ in UnsafeMutablePointer<SIMD2<Float>>.allocate(capacity: max(1, n)) }
        defer { gradientBuffers.forEach { $0.deallocate() } }

        // Validation rows stay binned; their scores follow each tree through its split bins.
        let stopping = settings.earlyStoppingRounds > 0 ? validation.flatMap { $0.features.rows > 0 ? $0 : nil } : nil
        let validationBins = stopping.map { BinnedMatrix($0.features, mappers: mappers, layout: .columnMajor, pool: pool) }
        var validationScores = [Double](repeating: 0, count: (stopping?.features.rows ?? 0) * k)
        if let stopping { for r in 0..<stopping.features.rows { for j in 0..<k { validationScores[r * k + j] = initial[j] } } }
        var validationLoss: [Double] = []
        var bestLoss = Double.infinity, bestIteration = 0

        var trees: [Tree] = []
        var iterationGains: [[Double]] = []
        let allFeatures = Array(0..<x.columns)
        let bagSize = settings.subsample < 1 ? max(1, Int((Double(n) * settings.subsample).rounded())) : n
        let featureCount = settings.colsampleByTree < 1 ? max(1, Int((Double(x.columns) * settings.colsampleByTree).rounded())) : x.columns
        var iterationsRun = 0
        var bag: [Int]?

        for iteration in 0..<settings.iterations {
            try context.checkCancelled()
            scores.withUnsafeBufferPointer { s in
                y.withUnsafeBufferPointer { t in
                    gradientBuffers.withUnsafeBufferPointer { out in
                        let (s, t, out) = (s.baseAddress!, t.baseAddress!, out.baseAddress!)
                        pool.forEachChunk(count: n, chunk: pool.chunkSize(for: n, minimum: 16_384)) { range, _ in
                            objective.gradients(scores: s, target: t, rows: range, out: out)
                        }
                    }
                }
            }
            if bagSize < n && (bag == nil || (settings.subsampleFrequency > 0 && iteration % settings.subsampleFrequency == 0)) {
                bag = sampleRows(n, bagSize, &generator)
            }
            var features = allFeatures
            if featureCount < x.columns {
                generator.shuffle(&features)
                features = Array(features[0..<featureCount]).sorted()
            }

            var iterationTrees: [GrownTree] = []
            for j in 0..<k {
                grower.reset(rows: bag)
                var grown = grower.grow(gradients: gradientBuffers[j], features: features)
                if objective.renewsLeaves { renewLeaves(&grown, objective: objective, scores: scores, target: y, grower: grower) }
                for v in 0..<grown.tree.values.count { grown.tree.values[v] *= settings.learningRate }
                update(&scores, output: j, outputs: k, grown: grown, grower: grower, binned: binned, bagged: bag != nil, pool: pool)
                if let validationBins { addTree(grown, to: &validationScores, output: j, outputs: k, bins: validationBins, pool: pool) }
                iterationTrees.append(grown)
            }
            // As LightGBM: an iteration in which no tree could split ends training.
            if iterationTrees.allSatisfy({ $0.tree.nodeCount == 1 }) { break }
            var gains = [Double](repeating: 0, count: x.columns)
            for grown in iterationTrees {
                trees.append(grown.tree)
                for f in 0..<gains.count { gains[f] += grown.gains[f] }
            }
            iterationGains.append(gains)
            iterationsRun = iteration + 1

            if let stopping {
                let loss = objective.loss(scores: validationScores, target: stopping.target)
                validationLoss.append(loss)
                if loss < bestLoss { bestLoss = loss; bestIteration = iteration + 1 }
                if iteration + 1 - bestIteration >= settings.earlyStoppingRounds { break }
            }
            context.progress(Double(iteration + 1) / Double(settings.iterations))
        }

        let kept = stopping != nil && bestIteration > 0 ? bestIteration : iterationsRun
        if kept < iterationsRun { trees.removeLast((iterationsRun - kept) * k) }
        // Importances count the kept iterations only.
        var gains = [Double](repeating: 0, count: x.columns)
        for g in iterationGains.prefix(kept) { for f in 0..<gains.count { gains[f] += g[f] } }
        return BoostedEnsemble(featureCount: x.columns, outputs: k, initialScores: initial, trees: trees, gains: gains, iterations: kept,
                               iterationsRun: iterationsRun, validationLoss: validationLoss)
    }

    /// LightGBM's RenewTreeOutput for the quantile objective: each leaf's value becomes the
    /// alpha-quantile of its rows' residuals (target − current score), before shrinkage.
    private static func renewLeaves(_ grown: inout GrownTree, objective: BoostingObjective, scores: [Double], target: [Double],
                                    grower: HistogramTreeGrower) {
        guard case .quantile(let alpha) = objective else { return }
        let index = grower.partition.indices
        var residuals: [Double] = []
        for leaf in grown.leaves {
            residuals.removeAll(keepingCapacity: true)
            for i in leaf.start..<(leaf.start + leaf.count) {
                let r = Int(index[i])
                residuals.append(target[r] - scores[r])
            }
            guard !residuals.isEmpty else { continue }
            grown.tree.values[Int(grown.tree.children[leaf.node])] = BoostingObjective.percentile(&residuals, alpha: alpha)
        }
    }

    /// `count` distinct rows of `0..<n`, ascending.
    static func sampleRows(_ n: Int, _ count: Int, _ generator: inout SeededGenerator) -> [Int] {
        // Selection sampling (Knuth's algorithm S): one pass, already in order.
        var out: [Int] = []
        out.reserveCapacity(count)
        var needed = count
        for r in 0..<n where needed > 0 {
            if generator.uniform(n - r) < needed { out.append(r); needed -= 1 }
        }
        return out
    }

    /// Adds a grown tree's (shrunk) leaf values to the training scores: through the leaves'
    /// row ranges, and for rows outside the bag, by walking the tree on their bins.
    private static func update(_ scores: inout [Double], output j: Int, outputs k: Int, grown: GrownTree,
                               grower: HistogramTreeGrower, binned: BinnedMatrix, bagged: Bool, pool: WorkerPool) {
        if bagged {
            addTree(grown, to: &scores, output: j, outputs: k, bins: binned, pool: pool)
            return
        }
        let index = UnsafePointer(grower.partition.indices.baseAddress!)
        let values = grown.tree.values
        scores.withUnsafeMutableBufferPointer { s in
            let s = s.baseAddress!
            pool.run(tasks: grown.leaves.count) { l, _ in
                let leaf = grown.leaves[l]
                let value = values[Int(grown.tree.children[leaf.node])]
                for i in leaf.start..<(leaf.start + leaf.count) { s[Int(index[i]) * k + j] += value }
            }
        }
    }

    /// Adds a tree's leaf values to `scores` for every row of `bins`, walking split bins.
    private static func addTree(_ grown: GrownTree, to scores: inout [Double], output j: Int, outputs k: Int,
                                bins: BinnedMatrix, pool: WorkerPool) {
        let tree = grown.tree
        let codes = UnsafePointer(bins.codes.baseAddress!)
        let rows = bins.rows
        let missingBins = bins.mappers.map { UInt8(truncatingIfNeeded: $0.missingBin) }
        scores.withUnsafeMutableBufferPointer { s in
            let s = s.baseAddress!
            pool.forEachChunk(count: bins.rows, chunk: pool.chunkSize(for: bins.rows, minimum: 8192)) { range, _ in
                for r in range {
                    var node = 0
                    while tree.feature[node] >= 0 {
                        let f = Int(tree.feature[node])
                        let code = codes[f * rows + r]
                        let goLeft = code == missingBins[f] ? tree.missingLeft[node] : code <= grown.splitBins[node]
                        node = Int(tree.children[node]) + (goLeft ? 0 : 1)
                    }
                    s[r * k + j] += tree.values[Int(tree.children[node])]
                }
            }
        }
    }
}
