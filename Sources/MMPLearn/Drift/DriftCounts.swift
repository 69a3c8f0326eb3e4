import MMPCore

/// What a batch of scored rows holds, counted against a baseline's buckets. Counts of shards
/// scored apart add up (`merge`) to the counts of the whole batch, so each shard job counts its
/// rows and the report is computed once over all of them.
public struct DriftCounts: Sendable, Equatable {
    public var rows: Int
    /// The input's column names (the first shard's order, then any others seen).
    public var columns: [String]
    /// Per baseline feature (by name); a feature absent from the input has no entry.
    public var features: [String: BucketCounts]
    public var prediction: BucketCounts?
    /// Numeric predictions below the baseline's minimum or above its maximum.
    public var predictionsOutside: Int

    public init(rows: Int = 0, columns: [String] = [], features: [String: BucketCounts] = [:], prediction: BucketCounts? = nil,
                predictionsOutside: Int = 0) {
        self.rows = rows; self.columns = columns; self.features = features; self.prediction = prediction
        self.predictionsOutside = predictionsOutside
    }

    /// The counts of `input` (the rows as read, every column) and the model's `predictions`.
    public static func count(_ input: Table, predictions: Column?, baseline: DriftBaseline) -> DriftCounts {
        var out = DriftCounts(rows: input.rowCount, columns: input.columnNames)
        for feature in baseline.features {
            guard let column = input.column(feature.name) else { continue }
            out.features[feature.name] = BucketCounts.count(column, against: feature)
        }
        if let predictions, let profile = baseline.prediction {
            let counts = BucketCounts.count(predictions, against: profile)
            out.prediction = counts
            if case .numeric(let p) = profile.profile, let values = predictions.doubles {
                out.predictionsOutside = values.reduce(0) { $0 + ($1 < p.min || $1 > p.max ? 1 : 0) }
            }
        }
        return out
    }

    /// Adds another batch's counts (another shard of the same scoring).
    public mutating func merge(_ other: DriftCounts) {
        rows += other.rows
        for name in other.columns where !columns.contains(name) { columns.append(name) }
        for (name, counts) in other.features {
            if var mine = features[name] { mine.merge(counts); features[name] = mine } else { features[name] = counts }
        }
        if let theirs = other.prediction {
            if var mine = prediction { mine.merge(theirs); prediction = mine } else { prediction = theirs }
        }
        predictionsOutside += other.predictionsOutside
    }
}

/// One column's counts: present values per bucket, missing values, and the sums for the mean.
public struct BucketCounts: Sendable, Equatable {
    public var buckets: [Int]
    public var missing: Int
    public var sum: Double
    public var sumOfSquares: Double
    /// Values never seen in training (categorical), with how often; at most `maxNewLevels` named.
    public var newLevels: [String: Int]
    public static let maxNewLevels = 20

    public init(buckets: [Int], missing: Int = 0, sum: Double = 0, sumOfSquares: Double = 0, newLevels: [String: Int] = [:]) {
        self.buckets = buckets; self.missing = missing; self.sum = sum; self.sumOfSquares = sumOfSquares; self.newLevels = newLevels
    }

    public var present: Int { buckets.reduce(0, +) }
    public var rows: Int { present + missing }

    static func count(_ column: Column, against baseline: FeatureBaseline) -> BucketCounts {
        var out = BucketCounts(buckets: [Int](repeating: 0, count: baseline.bucketCount))
        switch (baseline.profile, column.values) {
        case (.numeric(let p), .numeric(let values)), (.numeric(let p), .timestamp(let values)):
            var sum = 0.0, squares = 0.0, missing = 0
            out.buckets.withUnsafeMutableBufferPointer { buckets in
                for x in values {
                    if x.isNaN { missing += 1; continue }
                    buckets[p.bin(x)] += 1
                    sum += x
                    squares += x * x
                }
            }
            out.missing = missing; out.sum = sum; out.sumOfSquares = squares
        case (.categorical(let p), .categorical(let codes, let levels)):
            // Map this column's level codes to the baseline's buckets once, then count codes.
            let index = Dictionary(uniqueKeysWithValues: p.levels.enumerated().map { ($1, $0) })
            let other = p.levels.count
            let bucketOfCode = levels.map { index[$0] ?? other }
            var perCode = [Int](repeating: 0, count: levels.count)
            for c in codes { if c < 0 { out.missing += 1 } else { perCode[Int(c)] += 1 } }
            for (code, n) in perCode.enumerated() where n > 0 {
                out.buckets[bucketOfCode[code]] += n
                if index[levels[code]] == nil { out.noteNew(levels[code], n) }
            }
        case (.categorical(let p), .numeric(let values)):
            // A column of digits read as numbers this time: compare its values as text.
            let index = Dictionary(uniqueKeysWithValues: p.levels.enumerated().map { ($1, $0) })
            for x in values {
                if x.isNaN { out.missing += 1; continue }
                let text = CSVWriter.format(x)
                if let b = index[text] { out.buckets[b] += 1 } else { out.buckets[p.levels.count] += 1; out.noteNew(text, 1) }
            }
        case (.numeric, .categorical(let codes, _)):
            // Text where numbers were trained: every value counts as missing to the numeric profile.
            out.missing = codes.count
        case (.categorical, .timestamp(let values)):
            out.missing = values.count
        }
        return out
    }

    mutating func noteNew(_ level: String, _ n: Int) {
        if newLevels[level] != nil || newLevels.count < Self.maxNewLevels { newLevels[level, default: 0] += n }
    }

    public mutating func merge(_ other: BucketCounts) {
        if other.buckets.count > buckets.count { buckets += [Int](repeating: 0, count: other.buckets.count - buckets.count) }
        for (i, n) in other.buckets.enumerated() { buckets[i] += n }
        missing += other.missing
        sum += other.sum
        sumOfSquares += other.sumOfSquares
        for (level, n) in other.newLevels { noteNew(level, n) }
    }
}
