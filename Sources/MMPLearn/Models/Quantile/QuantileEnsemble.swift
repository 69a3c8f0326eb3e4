import MMPCore

/// Models that predict several quantiles of the target per row.
public protocol QuantileModel: TrainedModel {
    /// One prediction per row for each level, levels ascending, never crossing.
    func predictQuantiles(_ features: Matrix) -> [QuantilePrediction]
}

/// The Python tool's `QuantileRegressorEnsemble`: one gradient-boosting model per quantile level
/// (objective quantile, alpha = the level), trained on the same rows with the same other
/// hyperparameters. At predict time each row's quantiles are sorted (the rearrangement of
/// Chernozhukov, Fernández-Val and Galichon, 2010), so a higher level never predicts less than a
/// lower one; `predict` gives the median (the level closest to 0.5).
struct QuantileEnsembleEstimator: Estimator {
    var base: ModelDescriptor
    var baseValues: JSONObject
    var levels: [Double]

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        var models: [any TrainedModel] = []
        for (i, level) in levels.enumerated() {
            try context.checkCancelled()
            var values = baseValues
            values["objective"] = "quantile"
            values["alpha"] = .double(level)
            let (p, problems) = base.resolve(values)
            if let problem = problems.first { throw MMPError(.invalidRecipe, "QuantileRegressorEnsemble (base \(base.name)): \(problem.name): \(problem.message)") }
            let sub = FitContext(seed: context.seed, threads: context.threads,
                                 progress: { context.progress((Double(i) + $0) / Double(levels.count)) }, isCancelled: context.isCancelled)
            models.append(try base.make(p).fit(data, context: sub))
        }
        return QuantileEnsembleModel(levels: levels, models: models)
    }
}

public struct QuantileEnsembleModel: QuantileModel {
    public static let typeName = "quantile_ensemble.v1"
    public var levels: [Double]
    var models: [any TrainedModel]

    init(levels: [Double], models: [any TrainedModel]) { self.levels = levels; self.models = models }

    public func predictQuantiles(_ features: Matrix) -> [QuantilePrediction] {
        var columns = models.map { $0.predict(features) }
        // Rearrangement: sort each row's predictions so the quantiles do not cross.
        var row = [Double](repeating: 0, count: columns.count)
        for r in 0..<features.rows {
            for k in 0..<columns.count { row[k] = columns[k][r] }
            row.sort()
            for k in 0..<columns.count { columns[k][r] = row[k] }
        }
        return zip(levels, columns).map { QuantilePrediction(level: $0, values: $1) }
    }

    public func predict(_ features: Matrix) -> [Double] {
        let median = levels.indices.min { abs(levels[$0] - 0.5) < abs(levels[$1] - 0.5) }!
        return predictQuantiles(features)[median].values
    }

    public var featureImportances: [Double]? {
        let parts = models.compactMap(\.featureImportances)
        guard parts.count == models.count, let first = parts.first, parts.allSatisfy({ $0.count == first.count }) else { return nil }
        return (0..<first.count).map { j in parts.reduce(0) { $0 + $1[j] } / Double(parts.count) }
    }

    public var summary: JSONObject {
        var o = JSONObject()
        o["quantiles"] = .array(levels.map(JSON.double))
        o["models"] = .int(models.count)
        return o
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(levels)
        for m in models { ModelCodec.encode(m, to: &writer) }
    }

    public init(from reader: inout ByteReader) throws {
        levels = try reader.readDoubles()
        guard !levels.isEmpty, levels.count < 1000, levels == levels.sorted() else { throw MMPError.corrupt("a stored quantile ensemble has invalid levels") }
        models = try levels.map { _ in try ModelCodec.decode(from: &reader) }
    }
}
