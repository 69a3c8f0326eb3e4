import MMPCore

/// Gradient boosting with categorical features: the categorical columns (from the pipeline, or
/// named in cat_features) are replaced by ordered target statistics (`CategoryTargetStatistics`)
/// and the booster trains on the result; the fitted model keeps the statistics to encode the
/// rows it predicts.
enum CategoricalBoosting {

    /// The features to treat as categories: those the pipeline coded, and those named.
    static func categoricalFeatures(_ data: TrainingSet, named: [String]) throws -> [Int] {
        var features = Set(data.categoricalFeatures)
        for name in named {
            if let index = data.featureNames.firstIndex(of: name) {
                features.insert(index)
            } else if let index = Int(name), index >= 0, index < data.features.columns {
                features.insert(index)
            } else {
                throw MMPError(.invalidRecipe, "cat_features names '\(name)', which is not a feature column (features: \(data.featureNames.joined(separator: ", ")))")
            }
        }
        return features.sorted()
    }

    /// Encodes the categorical columns and fits `fitNumeric` on the result.
    static func fit(_ data: TrainingSet, categorical: [Int], classification: Bool, context: FitContext,
                    fitNumeric: (TrainingSet) throws -> any TrainedModel) throws -> any TrainedModel {
        let x = data.features, n = x.rows
        let targets: [[Double]]
        if classification && data.classCount > 2 {
            targets = (0..<data.classCount).map { k in data.target.map { Int($0) == k ? 1 : 0 } }
        } else {
            targets = [data.target]
        }
        var permutation = Array(0..<n)
        var generator = SeededGenerator(seed: context.seed ^ 0xC7_5EED)
        generator.shuffle(&permutation)
        let numeric = (0..<x.columns).filter { !categorical.contains($0) }
        var statistics: [CategoryTargetStatistics] = []
        var ordered: [[Double]] = []
        // One permutation, as CatBoost's plain mode. (Averaging several gives the training rows
        // steadier statistics than the rows scored later see, and scored worse on the shops set.)
        for f in categorical {
            let (s, values) = CategoryTargetStatistics.fit(column: x.column(f), feature: f, targets: targets, permutation: permutation)
            statistics.append(s)
            ordered.append(values)
        }
        let layout = CategoricalLayout(numeric: numeric, statistics: statistics, inputColumns: x.columns)
        let width = layout.outputColumns
        var values = [Double](repeating: 0, count: n * width)
        for r in 0..<n {
            for (k, f) in numeric.enumerated() { values[r * width + k] = x.values[r * x.columns + f] }
            var offset = numeric.count
            for (s, o) in zip(statistics, ordered) {
                for j in 0..<s.width { values[r * width + offset + j] = o[r * s.width + j] }
                offset += s.width
            }
        }
        let names = numeric.map { data.featureNames.indices.contains($0) ? data.featureNames[$0] : "f\($0)" }
            + statistics.flatMap { s in (0..<s.width).map { j in "\(data.featureNames.indices.contains(s.feature) ? data.featureNames[s.feature] : "f\(s.feature)")_ctr\(j)" } }
        var encoded = TrainingSet(features: Matrix(rows: n, columns: width, values: values), target: data.target,
                                  classCount: data.classCount, featureNames: names)
        if let v = data.validation {
            guard v.features.columns == x.columns else {
                throw MMPError.invalidData("the validation rows do not match the training features")
            }
            encoded.validation = EvaluationSet(features: layout.encode(v.features), target: v.target)
        }
        let inner = try fitNumeric(encoded)
        return CategoricalBoostedModel(layout: layout, inner: inner)
    }
}

/// A boosted model trained on target statistics of categorical columns.
public struct CategoricalBoostedModel: TrainedModel {
    public static let typeName = "categorical_boosting.v1"
    let layout: CategoricalLayout
    let inner: any TrainedModel

    init(layout: CategoricalLayout, inner: any TrainedModel) { self.layout = layout; self.inner = inner }

    public func predict(_ features: Matrix) -> [Double] { inner.predict(layout.encode(features)) }
    public func predictProbabilities(_ features: Matrix) -> Matrix? { inner.predictProbabilities(layout.encode(features)) }

    /// The statistics' importances credited to the column they came from.
    public var featureImportances: [Double]? {
        guard let raw = inner.featureImportances else { return nil }
        var out = [Double](repeating: 0, count: layout.inputColumns)
        for (k, source) in layout.sources.enumerated() where k < raw.count { out[source] += raw[k] }
        return out
    }

    public var summary: JSONObject {
        var s = inner.summary
        s["categorical_features"] = .int(layout.statistics.count)
        s["categories"] = .int(layout.statistics.reduce(0) { $0 + $1.keys.count })
        return s
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(layout)
        ModelCodec.encode(inner, to: &writer)
    }

    public init(from reader: inout ByteReader) throws {
        layout = try reader.read()
        inner = try ModelCodec.decode(from: &reader)
    }
}
