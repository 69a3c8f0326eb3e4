import MMPCore

/// CatBoost's answer to categorical features (Prokhorenkova et al. 2018): each category becomes
/// numbers the trees can split on — its target statistic (smoothed mean of the target, per class
/// for three or more classes) and its frequency. On the training rows the statistic is
/// *ordered*: along a random permutation, a row sees only the rows before it, so its own target
/// never leaks into its feature (the leak that makes plain target encoding overfit
/// high-cardinality columns). Rows scored later get the statistic of all training rows; an
/// unknown category gets the prior, a missing cell the statistic of the missing rows.
struct CategoryTargetStatistics: Sendable, Equatable {
    /// The column of the input matrix this replaces.
    var feature: Int
    /// Sorted category keys (the codes or numbers in the column); missing is the extra last slot.
    var keys: [Double]
    /// Per output, per slot: the sum of the target (class indicator) over training rows.
    var sums: [[Double]]
    var counts: [Double]
    var priors: [Double]
    var trainingRows: Int
    /// Weight of the prior in each statistic (CatBoost's prior weight, 1).
    var priorWeight: Double

    /// Numbers per category: one statistic per output, then the frequency.
    var width: Int { priors.count + 1 }

    func slot(_ value: Double) -> Int? {
        if value.isNaN { return keys.count }
        var lo = 0, hi = keys.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if keys[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo < keys.count && keys[lo] == value ? lo : nil
    }

    /// Statistics of all training rows for one cell, written into `out`.
    func encode(_ value: Double, into out: UnsafeMutablePointer<Double>) {
        guard let s = slot(value) else {
            for o in 0..<priors.count { out[o] = priors[o] }
            out[priors.count] = 0
            return
        }
        for o in 0..<priors.count { out[o] = (sums[o][s] + priors[o] * priorWeight) / (counts[s] + priorWeight) }
        out[priors.count] = counts[s] / Double(max(1, trainingRows))
    }

    /// Fits the statistics of column `feature` and returns, per training row, the ordered ones
    /// (rows × width): `targets` holds one array per output (the target, or class indicators).
    static func fit(column: [Double], feature: Int, targets: [[Double]], permutation: [Int], priorWeight: Double = 1)
        -> (CategoryTargetStatistics, [Double]) {
        let n = column.count
        let keys = Array(Set(column.filter { !$0.isNaN })).sorted()
        var index: [Double: Int] = [:]
        for (k, key) in keys.enumerated() { index[key] = k }
        let slots = column.map { $0.isNaN ? keys.count : index[$0]! }
        let priors = targets.map { t in t.reduce(0, +) / Double(max(1, n)) }
        let outputs = targets.count, width = outputs + 1
        var sums = [[Double]](repeating: [Double](repeating: 0, count: keys.count + 1), count: outputs)
        var counts = [Double](repeating: 0, count: keys.count + 1)
        var ordered = [Double](repeating: 0, count: n * width)
        for r in permutation {
            let s = slots[r]
            for o in 0..<outputs {
                ordered[r * width + o] = (sums[o][s] + priors[o] * priorWeight) / (counts[s] + priorWeight)
                sums[o][s] += targets[o][r]
            }
            counts[s] += 1
        }
        for r in 0..<n { ordered[r * width + outputs] = counts[slots[r]] / Double(max(1, n)) }
        let statistics = CategoryTargetStatistics(feature: feature, keys: keys, sums: sums, counts: counts, priors: priors,
                                                  trainingRows: n, priorWeight: priorWeight)
        return (statistics, ordered)
    }
}

extension CategoryTargetStatistics: BinaryCodable {
    func encode(to writer: inout ByteWriter) {
        writer.write(feature); writer.write(keys)
        writer.write(sums.count)
        for s in sums { writer.write(s) }
        writer.write(counts); writer.write(priors); writer.write(trainingRows); writer.write(priorWeight)
    }

    init(from reader: inout ByteReader) throws {
        feature = try reader.readInt(); keys = try reader.readDoubles()
        let outputs = try reader.readInt()
        guard outputs > 0, outputs < 100_000 else { throw MMPError.corrupt("impossible category statistics") }
        sums = try (0..<outputs).map { _ in try reader.readDoubles() }
        counts = try reader.readDoubles(); priors = try reader.readDoubles()
        trainingRows = try reader.readInt(); priorWeight = try reader.readDouble()
        guard counts.count == keys.count + 1, priors.count == outputs, sums.allSatisfy({ $0.count == counts.count }) else {
            throw MMPError.corrupt("stored category statistics do not fit together")
        }
    }
}

/// A matrix's categorical columns replaced by their statistics: numeric columns first (in
/// order), then each categorical column's statistics and frequency.
struct CategoricalLayout: Sendable, Equatable {
    var numeric: [Int]
    var statistics: [CategoryTargetStatistics]
    var inputColumns: Int

    var outputColumns: Int { numeric.count + statistics.reduce(0) { $0 + $1.width } }

    /// The input feature each output column came from (for importances).
    var sources: [Int] { numeric + statistics.flatMap { s in [Int](repeating: s.feature, count: s.width) } }

    /// Rows encoded with the full training statistics.
    func encode(_ x: Matrix) -> Matrix {
        let width = outputColumns
        var out = [Double](repeating: 0, count: x.rows * width)
        out.withUnsafeMutableBufferPointer { ob in
            let o = ob.baseAddress!
            for r in 0..<x.rows {
                let row = o + r * width
                for (k, f) in numeric.enumerated() { row[k] = x.values[r * x.columns + f] }
                var offset = numeric.count
                for s in statistics {
                    s.encode(x.values[r * x.columns + s.feature], into: row + offset)
                    offset += s.width
                }
            }
        }
        return Matrix(rows: x.rows, columns: width, values: out)
    }
}

extension CategoricalLayout: BinaryCodable {
    func encode(to writer: inout ByteWriter) {
        writer.write(numeric); writer.write(statistics); writer.write(inputColumns)
    }

    init(from reader: inout ByteReader) throws {
        numeric = try reader.readInts(); statistics = try reader.readArray(of: CategoryTargetStatistics.self); inputColumns = try reader.readInt()
        guard (numeric + statistics.map(\.feature)).allSatisfy({ $0 >= 0 && $0 < inputColumns }) else {
            throw MMPError.corrupt("a stored categorical layout reads columns the model was not trained on")
        }
    }
}
