import MMPCore

/// scikit-learn's `KBinsDiscretizer`: each numeric column is cut into `n_bins` intervals of equal
/// width (`uniform`), equal count (`quantile`, numpy's averaged_inverted_cdf percentiles as in
/// scikit-learn 1.9), or around one-dimensional k-means centres (`kmeans`). Bins narrower than
/// 1e-8 are merged away and a constant column gets one bin, as scikit-learn does.
/// `encode: ordinal` replaces the column by its bin index; `onehot` by 0/1 columns
/// `<column>_<bin>`. Missing cells stay missing (ordinal) or give all zeros (onehot).
struct KBinsDiscretizer: PreprocessingStep {
    var bins: Int
    var strategy: String
    var oneHot: Bool

    init(_ options: StepOptions) {
        bins = options.int("n_bins")
        strategy = options.string("strategy")
        oneHot = options.string("encode") != "ordinal"
    }

    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        var edges: [[Double]] = []
        for present in try numericTrainingValues(table, columns, step: "kbins_discretizer") {
            guard let lo = present.min(), let hi = present.max() else {
                throw MMPError.invalidData("kbins_discretizer: a column has no value in the training rows")
            }
            if lo == hi { edges.append([-.infinity, .infinity]); continue }
            var e: [Double]
            switch strategy {
            case "uniform":
                e = ColumnStatistics.linspace(lo, hi, bins + 1)
            case "kmeans":
                e = kmeansEdges(present, lo, hi)
            default:
                let sorted = present.sorted()
                e = ColumnStatistics.linspace(0, 100, bins + 1).map { ColumnStatistics.averagedInvertedCDFQuantile(sorted: sorted, $0 / 100) }
            }
            if strategy != "uniform" {
                // Drop an edge within 1e-8 of the one before it (np.ediff1d on the unfiltered edges).
                var kept = [e[0]]
                for i in 1..<e.count where e[i] - e[i - 1] > 1e-8 { kept.append(e[i]) }
                e = kept
            }
            edges.append(e)
        }
        return FittedKBinsDiscretizer(columns: columns, edges: edges, oneHot: oneHot)
    }

    /// Edges halfway between sorted 1-D k-means centres, started from the uniform bins' centres
    /// (scikit-learn's init) and run with Lloyd's algorithm to its tolerance.
    private func kmeansEdges(_ x: [Double], _ lo: Double, _ hi: Double) -> [Double] {
        let uniform = ColumnStatistics.linspace(lo, hi, bins + 1)
        var centers = (0..<bins).map { (uniform[$0 + 1] + uniform[$0]) * 0.5 }
        let mean = x.reduce(0, +) / Double(x.count)
        let tolerance = ColumnStatistics.variance(x, mean: mean) * 1e-4
        var labels = [Int](repeating: -1, count: x.count)
        for _ in 0..<300 {
            var sums = [Double](repeating: 0, count: bins), counts = [Int](repeating: 0, count: bins)
            var changed = false
            for (i, v) in x.enumerated() {
                var best = 0, bestDistance = Double.infinity
                for (c, center) in centers.enumerated() {
                    let d = (v - center) * (v - center)
                    if d < bestDistance { bestDistance = d; best = c }
                }
                if labels[i] != best { changed = true; labels[i] = best }
                sums[best] += v
                counts[best] += 1
            }
            var shift = 0.0
            for c in 0..<bins where counts[c] > 0 {
                let updated = sums[c] / Double(counts[c])
                shift += (updated - centers[c]) * (updated - centers[c])
                centers[c] = updated
            }
            if !changed || shift <= tolerance { break }
        }
        centers.sort()
        return [lo] + (1..<bins).map { (centers[$0] + centers[$0 - 1]) * 0.5 } + [hi]
    }
}

struct FittedKBinsDiscretizer: FittedTransform {
    static let typeName = "kbins_discretizer.v1"
    var columns: [String]
    /// Bin edges per column, lowest to highest; bin k is [edges[k], edges[k+1]).
    var edges: [[Double]]
    var oneHot: Bool

    init(columns: [String], edges: [[Double]], oneHot: Bool) { self.columns = columns; self.edges = edges; self.oneHot = oneHot }

    /// The bin of each value: how many inner edges are <= it (numpy's searchsorted, side right).
    func bin(_ x: Double, _ e: [Double]) -> Double {
        if x.isNaN { return .nan }
        var lo = 1, hi = e.count - 1  // inner edges are e[1..<count-1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if e[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return Double(lo - 1)
    }

    func transform(_ table: Table, mode: TransformMode) throws -> Table {
        var replacements: [String: [Column]] = [:]
        for (k, column) in try table.requireAll(columns, step: "kbins_discretizer").enumerated() {
            guard let values = column.doubles else {
                throw MMPError.invalidData("kbins_discretizer was fitted on numeric column '\(column.name)', which now holds text")
            }
            let bins = values.map { bin($0, edges[k]) }
            if oneHot {
                replacements[column.name] = (0..<(edges[k].count - 1)).map { b in
                    .numeric("\(column.name)_\(b)", bins.map { $0 == Double(b) ? 1 : 0 })
                }
            } else {
                replacements[column.name] = [.numeric(column.name, bins)]
            }
        }
        return try table.replacing(replacements, step: "kbins_discretizer")
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(columns)
        writer.write(edges.count)
        for e in edges { writer.write(e) }
        writer.write(oneHot)
    }

    init(from reader: inout ByteReader) throws {
        columns = try reader.readStrings()
        let n = try reader.readInt()
        try FittedCheck.sameCount(columns.count, n, "kbins_discretizer")
        edges = try (0..<n).map { _ in try reader.readDoubles() }
        oneHot = try reader.readBool()
        guard edges.allSatisfy({ $0.count >= 2 }) else { throw MMPError.corrupt("kbins_discretizer: a column has fewer than two bin edges") }
    }
}
