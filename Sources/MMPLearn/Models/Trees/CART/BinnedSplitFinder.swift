/// Finds splits on binned features (at most 255 bins, quantiles of the training values): one
/// pass over the node's rows fills a histogram of statistics per bin, and the cuts between
/// occupied bins are tried in order. Forests grow hundreds of deep trees; this makes each node
/// cost O(rows + bins) instead of a sort.
struct BinnedSplitFinder: FeatureSplitFinder {
    let data: BinnedMatrix
    let target: [Double]
    /// Bootstrap counts per row.
    let weights: [Double]
    let criterion: SplitCriterion
    let statCount: Int
    let minSamplesLeaf: Int
    /// 256 bins × (statistics, row count); cleared after each use over the bins touched.
    private var histogram: [Double]
    private var left: [Double]
    private var right: [Double]

    init(data: BinnedMatrix, target: [Double], weights: [Double], criterion: SplitCriterion, classes: Int, minSamplesLeaf: Int) {
        precondition(data.rowStride == 1, "the binned splitter reads column-major bins")
        self.data = data
        self.target = target
        self.weights = weights
        self.criterion = criterion
        statCount = criterion.statCount(classes: classes)
        self.minSamplesLeaf = minSamplesLeaf
        histogram = [Double](repeating: 0, count: 256 * (statCount + 1))
        left = [Double](repeating: 0, count: statCount + 1)
        right = left
    }

    mutating func evaluate(feature f: Int, rows nodeRows: UnsafeMutableBufferPointer<Int32>, node: UnsafePointer<Double>,
                           best: inout CandidateSplit) -> Bool {
        let S = statCount, width = S + 1
        let column = UnsafePointer(data.codes.baseAddress! + f * data.featureStride)
        let missingBin = data.mappers[f].missingBin
        let criterion = self.criterion, minLeaf = minSamplesLeaf, n = nodeRows.count
        var found = false
        target.withUnsafeBufferPointer { target in
            weights.withUnsafeBufferPointer { weights in
                histogram.withUnsafeMutableBufferPointer { hist in
                    left.withUnsafeMutableBufferPointer { l in
                        right.withUnsafeMutableBufferPointer { rt in
                            let hist = hist.baseAddress!, l = l.baseAddress!, rt = rt.baseAddress!
                            var low = 255, high = 0
                            for r in nodeRows {
                                let b = Int(column[Int(r)])
                                let h = hist + b * width
                                criterion.add(h, target: target[Int(r)], weight: weights[Int(r)])
                                h[S] += 1
                                if b < low { low = b }
                                if b > high { high = b }
                            }
                            let missing = hist + missingBin * width
                            let missingRows = Int(missing[S])
                            // The highest occupied real bin, and whether two real bins are occupied.
                            var lastReal = -1, realBins = 0
                            if low < missingBin {
                                var b = min(high, missingBin - 1)
                                while b >= low {
                                    if hist[b * width + S] > 0 {
                                        if lastReal < 0 { lastReal = b }
                                        realBins += 1
                                        if realBins == 2 { break }
                                    }
                                    b -= 1
                                }
                            }
                            found = realBins >= 2 || (realBins >= 1 && missingRows > 0)
                            if found {
                                for pass in 0..<(missingRows > 0 ? 2 : 1) {
                                    let missingLeft = pass == 1
                                    for k in 0...S { l[k] = missingLeft ? missing[k] : 0 }
                                    for b in low...lastReal {
                                        let h = hist + b * width
                                        if h[S] == 0 { continue }
                                        for k in 0...S { l[k] += h[k] }
                                        let last = b == lastReal
                                        if last && (missingLeft || missingRows == 0) { break }
                                        let leftRows = Int(l[S])
                                        if leftRows < minLeaf { continue }
                                        if n - leftRows < minLeaf { break }
                                        for k in 0..<S { rt[k] = node[k] - l[k] }
                                        let proxy = criterion.splitProxy(left: l, right: rt, S)
                                        if proxy < best.proxy {
                                            best.feature = f
                                            best.bin = last ? 255 : b
                                            best.threshold = last ? .infinity : data.mappers[f].threshold(afterBin: b)
                                            // With nothing missing here, missing values at prediction follow the larger
                                            // child (as scikit-learn does).
                                            best.missingLeft = missingRows == 0 ? leftRows > n - leftRows : missingLeft
                                            best.proxy = proxy
                                            best.setLeft(l, S)
                                            best.leftRows = leftRows
                                        }
                                    }
                                }
                            }
                            // Clear what this pass touched.
                            (hist + low * width).update(repeating: 0, count: (high - low + 1) * width)
                        }
                    }
                }
            }
        }
        return found
    }

    func goesLeft(_ row: Int32, _ split: CandidateSplit) -> Bool {
        let code = Int(data.codes[split.feature * data.featureStride + Int(row)])
        return code == data.mappers[split.feature].missingBin ? split.missingLeft : code <= split.bin
    }
}
