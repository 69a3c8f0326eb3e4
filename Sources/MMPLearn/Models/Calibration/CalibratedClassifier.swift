import MMPCore

/// A fitted classifier whose probabilities pass through calibrators fitted on rows it never
/// trained on (the recipe's calibration split), as scikit-learn's `CalibratedClassifierCV`
/// with a fitted estimator: one calibrator for the positive class of a binary problem, one per
/// class otherwise, the calibrated columns normalised to sum to 1. Predictions are the most
/// probable calibrated class.
public struct CalibratedClassifier: TrainedModel {
    public static let typeName = "calibrated_classifier.v1"

    public let base: any TrainedModel
    public let method: CalibrationMethod
    public let classCount: Int
    public let calibrators: [Calibrator]

    /// Fits the calibrators on `features`/`target` (class indices), scores from `base`.
    public static func fit(_ base: any TrainedModel, method: CalibrationMethod, features: Matrix, target: [Double],
                           classCount: Int) throws -> CalibratedClassifier {
        guard let probabilities = scores(base, features), probabilities.columns == classCount else {
            throw MMPError(.invalidRecipe, "model.calibration needs a classifier with class probabilities or decision scores")
        }
        guard features.rows >= 2 else {
            throw MMPError.invalidData("the calibration split has \(features.rows) row\(features.rows == 1 ? "" : "s"); raise data.split.calibration")
        }
        let classes = classCount == 2 ? [1] : Array(0..<classCount)
        let calibrators = classes.map { k -> Calibrator in
            let scores = (0..<probabilities.rows).map { probabilities[$0, k] }
            let positive = target.map { Int($0) == k }
            switch method {
            case .sigmoid: return Calibrator.fitSigmoid(scores: scores, positive: positive)
            case .isotonic: return Calibrator.fitIsotonic(scores: scores, positive: positive)
            case .beta: return Calibrator.fitBeta(scores: scores, positive: positive)
            }
        }
        return CalibratedClassifier(base: base, method: method, classCount: classCount, calibrators: calibrators)
    }

    init(base: any TrainedModel, method: CalibrationMethod, classCount: Int, calibrators: [Calibrator]) {
        self.base = base; self.method = method; self.classCount = classCount; self.calibrators = calibrators
    }

    /// What the calibrators map: the base model's probabilities, or for a model without them
    /// (SVC with probability false) its decision scores, as scikit-learn calibrates
    /// `decision_function` when there is no `predict_proba`.
    static func scores(_ base: any TrainedModel, _ features: Matrix) -> Matrix? {
        base.predictProbabilities(features) ?? (base as? DecisionScoring)?.decisionScores(features)
    }

    public func predictProbabilities(_ features: Matrix) -> Matrix? {
        guard let raw = Self.scores(base, features) else { return nil }
        var out = Matrix(rows: raw.rows, columns: classCount)
        for i in 0..<raw.rows {
            if classCount == 2 {
                let p = calibrators[0](raw[i, 1])
                out[i, 1] = p
                out[i, 0] = 1 - p
            } else {
                var total = 0.0
                for k in 0..<classCount {
                    out[i, k] = calibrators[k](raw[i, k])
                    total += out[i, k]
                }
                // Every calibrator saying 0: the uniform distribution, as scikit-learn.
                for k in 0..<classCount { out[i, k] = total > 0 ? out[i, k] / total : 1 / Double(classCount) }
            }
        }
        return out
    }

    public func predict(_ features: Matrix) -> [Double] {
        guard let p = predictProbabilities(features) else { return base.predict(features) }
        return Self.argmax(p)
    }

    public func predictWithProbabilities(_ features: Matrix) -> (predictions: [Double], probabilities: Matrix?) {
        guard let p = predictProbabilities(features) else { return (base.predict(features), nil) }
        return (Self.argmax(p), p)
    }

    static func argmax(_ p: Matrix) -> [Double] {
        (0..<p.rows).map { i in
            var best = 0
            for k in 1..<p.columns where p[i, k] > p[i, best] { best = k }
            return Double(best)
        }
    }

    public var featureImportances: [Double]? { base.featureImportances }

    public var summary: JSONObject {
        var s = base.summary
        s["calibration"] = .string(method.rawValue)
        return s
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(method.rawValue)
        writer.write(classCount)
        writer.write(calibrators)
        ModelCodec.encode(base, to: &writer)
    }

    public init(from reader: inout ByteReader) throws {
        guard let method = CalibrationMethod(rawValue: try reader.readString()) else { throw MMPError.corrupt("unknown calibration method") }
        self.method = method
        classCount = try reader.readInt()
        calibrators = try reader.readArray(of: Calibrator.self)
        guard classCount >= 2, calibrators.count == (classCount == 2 ? 1 : classCount) else {
            throw MMPError.corrupt("calibrated classifier with \(classCount) classes and \(calibrators.count) calibrators")
        }
        base = try ModelCodec.decode(from: &reader)
    }
}

/// A classifier whose decision scores (rows × classes, larger meaning more likely) can be
/// calibrated into probabilities when it has no probabilities of its own.
public protocol DecisionScoring {
    func decisionScores(_ features: Matrix) -> Matrix
}

/// The calibration wrapper's entry in the model codec (it has no recipe name of its own: a
/// recipe asks for it with `model.calibration`).
public enum CalibrationModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = []
    public static let trainedTypes: [any TrainedModel.Type] = [CalibratedClassifier.self]
}
