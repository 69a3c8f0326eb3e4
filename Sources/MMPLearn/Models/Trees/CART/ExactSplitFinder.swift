/// Finds splits as scikit-learn's best splitter does: sort the node's values of a feature and
/// try every cut between two values more than 1e-7 apart, with the threshold half-way.
/// Missing values are tried on either side, and alone on the right.
struct ExactSplitFinder: FeatureSplitFinder {
    /// Feature values, column-major (one feature's values together).
    let columns: [Double]
    let rows: Int
    let target: [Double]
    let criterion: SplitCriterion
    let statCount: Int
    let minSamplesLeaf: Int
    private var present: [(value: Double, row: Int32)] = []
    private var missing: [Int32] = []
    private var left: [Double]
    private var right: [Double]
    private var missingStats: [Double]

    init(features x: Matrix, target: [Double], criterion: SplitCriterion, classes: Int, minSamplesLeaf: Int) {
        var columns = [Double](repeating: 0, count: x.rows * x.columns)
        for r in 0..<x.rows { for f in 0..<x.columns { columns[f * x.rows + r] = x[r, f] } }
        self.columns = columns
        rows = x.rows
        self.target = target
        self.criterion = criterion
        statCount = criterion.statCount(classes: classes)
        self.minSamplesLeaf = minSamplesLeaf
        left = [Double](repeating: 0, count: statCount)
        right = left
        missingStats = left
    }

    mutating func evaluate(feature f: Int, rows nodeRows: UnsafeMutableBufferPointer<Int32>, node: UnsafePointer<Double>,
                           best: inout CandidateSplit) -> Bool {
        present.removeAll(keepingCapacity: true)
        missing.removeAll(keepingCapacity: true)
        let base = f * rows
        for r in nodeRows {
            let v = columns[base + Int(r)]
            if v.isNaN { missing.append(r) } else { present.append((v, r)) }
        }
        if present.isEmpty { return false }
        present.sort { $0.value < $1.value }
        if present[present.count - 1].value <= present[0].value + 1e-7 && missing.isEmpty { return false }

        let S = statCount, n = nodeRows.count, m = present.count
        let minLeaf = minSamplesLeaf
        for k in 0..<S { missingStats[k] = 0 }
        missingStats.withUnsafeMutableBufferPointer { ms in
            for r in missing { criterion.add(ms.baseAddress!, target: target[Int(r)], weight: 1) }
        }
        for pass in 0..<(missing.isEmpty ? 1 : 2) {
            let missingLeft = pass == 1
            for k in 0..<S { left[k] = missingLeft ? missingStats[k] : 0 }
            var leftRows = missingLeft ? missing.count : 0
            left.withUnsafeMutableBufferPointer { l in
                right.withUnsafeMutableBufferPointer { rt in
                    let l = l.baseAddress!, rt = rt.baseAddress!
                    for p in 0..<m {
                        criterion.add(l, target: target[Int(present[p].row)], weight: 1)
                        leftRows += 1
                        let last = p == m - 1
                        // The last position only splits "every present value | the missing ones".
                        if last && (missingLeft || missing.isEmpty) { break }
                        if !last && present[p + 1].value <= present[p].value + 1e-7 { continue }
                        if leftRows < minLeaf { continue }
                        if n - leftRows < minLeaf { break }
                        for k in 0..<S { rt[k] = node[k] - l[k] }
                        let proxy = criterion.splitProxy(left: l, right: rt, S)
                        if proxy < best.proxy {
                            best.feature = f
                            best.threshold = last ? .infinity : BinMapper.midpoint(present[p].value, present[p + 1].value)
                            // With nothing missing here, missing values at prediction follow the larger
                            // child (as scikit-learn does).
                            best.missingLeft = missing.isEmpty ? leftRows > n - leftRows : missingLeft
                            best.proxy = proxy
                            best.setLeft(l, S)
                            best.leftRows = leftRows
                        }
                    }
                }
            }
        }
        return true
    }

    func goesLeft(_ row: Int32, _ split: CandidateSplit) -> Bool {
        let v = columns[split.feature * rows + Int(row)]
        return v.isNaN ? split.missingLeft : v <= split.threshold
    }
}
