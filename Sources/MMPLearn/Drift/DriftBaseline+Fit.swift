import MMPCore

extension DriftBaseline {
    /// The baseline of training rows: `table` holds the training input (every column as
    /// loaded), `features` the model's input feature columns among them, `predictions` the
    /// model's predictions on the test split (a numeric or categorical column).
    public static func fit(table: Table, features: [String], predictions: Column?) throws -> DriftBaseline {
        let profiles = try features.compactMap { name -> FeatureBaseline? in
            FeatureBaseline.fit(try table.require(name, role: "feature column"))
        }
        return DriftBaseline(rows: table.rowCount, columns: table.columnNames, features: profiles,
                             prediction: predictions.flatMap { FeatureBaseline.fit($0) })
    }
}

extension FeatureBaseline {
    /// A column's profile; nil for timestamps (they order rows, they are not features).
    public static func fit(_ column: Column) -> FeatureBaseline? {
        let n = column.count
        let missing = column.missingCount
        let rate = n == 0 ? 0 : Double(missing) / Double(n)
        switch column.values {
        case .numeric(let values):
            return FeatureBaseline(name: column.name, missingRate: rate, profile: .numeric(NumericProfile.fit(values)), rows: n)
        case .categorical(let codes, let levels):
            return FeatureBaseline(name: column.name, missingRate: rate, profile: .categorical(CategoricalProfile.fit(codes: codes, levels: levels)), rows: n)
        case .timestamp:
            return nil
        }
    }
}

extension NumericProfile {
    /// Decile edges (numpy's linear quantiles at 0.1 … 0.9 of the present values, repeats
    /// dropped), the share of values per bin, and the moments.
    public static func fit(_ values: [Double]) -> NumericProfile {
        let present = values.filter { !$0.isNaN }.sorted()
        guard !present.isEmpty else { return NumericProfile(edges: [], proportions: [1], mean: .nan, std: .nan, min: .nan, max: .nan) }
        var edges: [Double] = []
        for k in 1..<DriftBaseline.binCount {
            let q = ColumnStatistics.linearQuantile(sorted: present, Double(k) / Double(DriftBaseline.binCount))
            if edges.last.map({ q > $0 }) ?? true { edges.append(q) }
        }
        var profile = NumericProfile(edges: edges, proportions: [], mean: 0, std: 0, min: present.first!, max: present.last!)
        var counts = [Int](repeating: 0, count: edges.count + 1)
        for x in present { counts[profile.bin(x)] += 1 }
        profile.proportions = counts.map { Double($0) / Double(present.count) }
        let mean = ColumnStatistics.mean(present)!
        profile.mean = mean
        profile.std = ColumnStatistics.variance(present, mean: mean).squareRoot()
        return profile
    }
}

extension CategoricalProfile {
    /// The `maxLevels` most frequent values (ties by name), the rest pooled as "other".
    public static func fit(codes: [Int32], levels: [String]) -> CategoricalProfile {
        var counts = [Int](repeating: 0, count: levels.count)
        var present = 0
        for c in codes where c >= 0 { counts[Int(c)] += 1; present += 1 }
        let ranked = levels.indices.filter { counts[$0] > 0 }
            .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : levels[$0] < levels[$1] }
        let kept = Array(ranked.prefix(DriftBaseline.maxLevels))
        guard present > 0 else { return CategoricalProfile(levels: [], proportions: [1]) }
        let keptCount = kept.reduce(0) { $0 + counts[$1] }
        let proportions = kept.map { Double(counts[$0]) / Double(present) } + [Double(present - keptCount) / Double(present)]
        return CategoricalProfile(levels: kept.map { levels[$0] }, proportions: proportions)
    }
}
