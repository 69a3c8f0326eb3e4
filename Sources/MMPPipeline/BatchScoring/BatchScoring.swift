import MMPArtifacts
import MMPCore
import MMPLearn

/// What batch scoring adds to `PredictPipeline`: the output columns of the Python tool's batch
/// output, and the drift baseline and counts.
public enum BatchScoring {
    public struct Scored: Sendable {
        /// Entity columns, `prediction`, class probabilities, `model_uri`, `job_id`, `scored_at`.
        public var output: Table
        /// Nil when the bundle has no drift baseline.
        public var driftCounts: DriftCounts?
    }

    public static func score(_ bundle: ModelBundle, input: Table, modelURI: String, jobID: String, scoredAt: Double = Timestamp.now()) throws -> Scored {
        var output = try PredictPipeline.predict(bundle, input: input)
        let n = output.rowCount
        try output.set(Column(name: "model_uri", values: .categorical(codes: [Int32](repeating: 0, count: n), levels: [modelURI])))
        try output.set(Column(name: "job_id", values: .categorical(codes: [Int32](repeating: 0, count: n), levels: [jobID])))
        try output.set(.timestamp("scored_at", [Double](repeating: scoredAt, count: n)))
        let counts = bundle.driftBaseline.map { DriftCounts.count(input, predictions: predictionColumn(output, bundle: bundle), baseline: $0) }
        return Scored(output: output, driftCounts: counts)
    }

    /// The prediction a drift baseline profiles: a regressor's value; a binary classifier's
    /// probability of its second class (a score, with a range to extrapolate from); the label
    /// of a multiclass one.
    static func predictionColumn(_ output: Table, bundle: ModelBundle) -> Column? {
        if let classes = bundle.labels?.classes, classes.count == 2, let p = output.column("probability_\(classes[1])") {
            return Column(name: "prediction", values: p.values)
        }
        return output.column("prediction")
    }

    /// The baseline a bundle stores: the training rows' features, the test rows' predictions.
    static func baseline(_ bundle: ModelBundle, train: Table, test: Table, features: [String]) throws -> DriftBaseline {
        let predictions = test.rowCount > 0 ? predictionColumn(try PredictPipeline.predict(bundle, input: test), bundle: bundle) : nil
        return try DriftBaseline.fit(table: train, features: features, predictions: predictions)
    }
}
