import MMPCore

public struct SplitFractions: Sendable, Equatable {
    public var train: Double
    public var validation: Double
    public var test: Double
    public var calibration: Double

    public init(train: Double, validation: Double = 0, test: Double, calibration: Double = 0) {
        self.train = train; self.validation = validation; self.test = test; self.calibration = calibration
    }
}

/// Row indices of each part, each in ascending order.
public struct SplitIndices: Sendable, Equatable {
    public var train: [Int] = []
    public var validation: [Int] = []
    public var test: [Int] = []
    public var calibration: [Int] = []
    public init() {}
}

/// Train/validation/test splits. `scripts/sklearn_reference.py` mirrors `random` exactly so the
/// scikit-learn reference trains on the very rows we train on; change both together.
public enum Splitter {
    /// Random split, stratified when `strata` (one label per row) is given.
    ///
    /// Groups are the strata in ascending order (or all rows as one group), rows ascending within
    /// a group. One `SeededGenerator(seed:)` shuffles each group in turn; then a group of n rows
    /// gives its first round(n·test) rows to test, the next round(n·validation) to validation,
    /// the next round(n·calibration) to calibration and the rest to train, where
    /// round(x) = floor(x + 0.5). At least one row per group stays in train.
    public static func random(rowCount: Int, fractions: SplitFractions, strata: [Int]? = nil, seed: Int) -> SplitIndices {
        var groups: [[Int]]
        if let strata {
            var byLabel: [Int: [Int]] = [:]
            for (row, label) in strata.enumerated() { byLabel[label, default: []].append(row) }
            groups = byLabel.keys.sorted().map { byLabel[$0]! }
        } else {
            groups = [Array(0..<rowCount)]
        }
        var generator = SeededGenerator(seed: seed)
        var result = SplitIndices()
        for var group in groups {
            generator.shuffle(&group)
            let n = group.count
            var counts = [share(n, fractions.test), share(n, fractions.validation), share(n, fractions.calibration)]
            // Keep one training row: shrink calibration, then validation, then test.
            var k = 2
            while counts.reduce(0, +) > max(0, n - 1), k >= 0 {
                if counts[k] > 0 { counts[k] -= 1 } else { k -= 1 }
            }
            var offset = 0
            result.test += group[offset..<offset + counts[0]]; offset += counts[0]
            result.validation += group[offset..<offset + counts[1]]; offset += counts[1]
            result.calibration += group[offset..<offset + counts[2]]; offset += counts[2]
            result.train += group[offset...]
        }
        result.train.sort(); result.validation.sort(); result.test.sort(); result.calibration.sort()
        return result
    }

    /// Temporal split: rows ordered by `keys` (oldest first, ties by row); the oldest go to
    /// train, then validation, then calibration, and the newest to test, so no training row is
    /// later than any row it is scored on.
    public static func temporal(keys: [Double], fractions: SplitFractions, column: String) throws -> SplitIndices {
        let missing = keys.filter(\.isNaN).count
        if missing > 0 {
            throw MMPError.invalidData("temporal split column '\(column)' is missing in \(missing) rows; fill or drop them first")
        }
        let order = keys.indices.sorted { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
        let n = order.count
        let nTest = share(n, fractions.test), nValidation = share(n, fractions.validation), nCalibration = share(n, fractions.calibration)
        let nTrain = max(0, n - nTest - nValidation - nCalibration)
        var result = SplitIndices()
        var offset = 0
        result.train = Array(order[offset..<offset + nTrain]); offset += nTrain
        result.validation = Array(order[offset..<offset + nValidation]); offset += nValidation
        result.calibration = Array(order[offset..<offset + nCalibration]); offset += nCalibration
        result.test = Array(order[offset...])
        result.train.sort(); result.validation.sort(); result.test.sort(); result.calibration.sort()
        return result
    }

    static func share(_ n: Int, _ fraction: Double) -> Int { Int((Double(n) * fraction + 0.5).rounded(.down)) }
}
