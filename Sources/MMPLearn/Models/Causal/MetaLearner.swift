import MMPCore

/// Models that estimate the effect of a binary treatment: `predict` gives each row's CATE, and
/// `predictOutcomes` the outcome the model expects for the row under control and under treatment.
public protocol CausalModel: TrainedModel {
    func predictOutcomes(_ features: Matrix) -> (control: [Double], treated: [Double])
}

/// Meta-learners (Künzel et al. 2019) over any regression model of the catalog:
/// - S: one model of the outcome on the features and the treatment; CATE = f(x, 1) − f(x, 0).
/// - T: one model per arm; CATE = f₁(x) − f₀(x).
/// - X: the T-learner's models impute each row's effect (D₁ = y − f₀(x) for treated rows,
///   D₀ = f₁(x) − y for control rows), a model per arm learns those effects, and the two are
///   blended by the propensity e(x) (logistic regression of the treatment on the features,
///   clipped to [0.01, 0.99]): CATE = e(x)·g₀(x) + (1 − e(x))·g₁(x).
public enum MetaLearnerKind: String, Sendable { case s = "S", t = "T", x = "X" }

struct MetaLearnerEstimator: Estimator {
    var kind: MetaLearnerKind
    var name: String
    var base: ModelDescriptor
    var baseParameters: Hyperparameters
    var ateAlpha: Double

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        guard let t = data.treatment, t.count == data.target.count else {
            throw MMPError.invalidData("\(name) needs the treatment of every training row (data.data_interface.treatment_column)")
        }
        let rows = (0..<t.count).filter { (t[$0] == 0 || t[$0] == 1) && data.target[$0].isFinite }
        let treated = rows.filter { t[$0] == 1 }, control = rows.filter { t[$0] == 0 }
        guard treated.count >= 2, control.count >= 2 else {
            throw MMPError.invalidData("\(name) needs treated and control rows in the training split (found \(treated.count) treated, \(control.count) control)")
        }
        func train(_ x: Matrix, _ y: [Double], names: [String]) throws -> any TrainedModel {
            try context.checkCancelled()
            return try base.make(baseParameters).fit(TrainingSet(features: x, target: y, classCount: 0, featureNames: names), context: context)
        }
        let x = data.features, y = data.target
        switch kind {
        case .s:
            let augmented = MetaLearnerModel.withTreatment(x.selecting(rows: rows), rows.map { t[$0] })
            let model = try train(augmented, rows.map { y[$0] }, names: data.featureNames + ["treatment"])
            return MetaLearnerModel(kind: .s, base: base.name, models: [model], propensity: nil,
                                    treatedShare: Double(treated.count) / Double(rows.count), ateAlpha: ateAlpha)
        case .t, .x:
            let f0 = try train(x.selecting(rows: control), control.map { y[$0] }, names: data.featureNames)
            let f1 = try train(x.selecting(rows: treated), treated.map { y[$0] }, names: data.featureNames)
            guard kind == .x else {
                return MetaLearnerModel(kind: .t, base: base.name, models: [f0, f1], propensity: nil,
                                        treatedShare: Double(treated.count) / Double(rows.count), ateAlpha: ateAlpha)
            }
            let xTreated = x.selecting(rows: treated), xControl = x.selecting(rows: control)
            let d1 = zip(treated.map { y[$0] }, f0.predict(xTreated)).map { $0 - $1 }
            let d0 = zip(f1.predict(xControl), control.map { y[$0] }).map { $0 - $1 }
            let g1 = try train(xTreated, d1, names: data.featureNames)
            let g0 = try train(xControl, d0, names: data.featureNames)
            var propensity: (any TrainedModel)?
            if x.columns > 0 {
                propensity = try LogisticRegressionEstimator(Hyperparameters(["C": 1.0, "penalty": "l2", "fit_intercept": true, "max_iter": 1000,
                                                                              "tol": 1e-4, "class_weight": .null, "solver": "lbfgs", "multi_class": "auto"]))
                    .fit(TrainingSet(features: x.selecting(rows: rows), target: rows.map { t[$0] }, classCount: 2, featureNames: data.featureNames),
                         context: context)
            }
            return MetaLearnerModel(kind: .x, base: base.name, models: [f0, f1, g0, g1], propensity: propensity,
                                    treatedShare: Double(treated.count) / Double(rows.count), ateAlpha: ateAlpha)
        }
    }
}

/// A fitted meta-learner.
public struct MetaLearnerModel: CausalModel {
    public static let typeName = "meta_learner.v1"
    public var kind: MetaLearnerKind
    public var base: String
    /// S: [f]; T: [f₀, f₁]; X: [f₀, f₁, g₀, g₁].
    var models: [any TrainedModel]
    var propensity: (any TrainedModel)?
    public var treatedShare: Double
    public var ateAlpha: Double

    static func withTreatment(_ x: Matrix, _ t: [Double]) -> Matrix {
        var values: [Double] = []
        values.reserveCapacity(x.rows * (x.columns + 1))
        for i in 0..<x.rows { values += x.row(i); values.append(t[i]) }
        return Matrix(rows: x.rows, columns: x.columns + 1, values: values)
    }

    public func predictOutcomes(_ x: Matrix) -> (control: [Double], treated: [Double]) {
        switch kind {
        case .s:
            return (models[0].predict(MetaLearnerModel.withTreatment(x, [Double](repeating: 0, count: x.rows))),
                    models[0].predict(MetaLearnerModel.withTreatment(x, [Double](repeating: 1, count: x.rows))))
        case .t, .x:
            return (models[0].predict(x), models[1].predict(x))
        }
    }

    public func predict(_ x: Matrix) -> [Double] {
        guard kind == .x else {
            let (c, t) = predictOutcomes(x)
            return zip(t, c).map { $0 - $1 }
        }
        let g0 = models[2].predict(x), g1 = models[3].predict(x)
        let e: [Double]
        if let propensity, let p = propensity.predictProbabilities(x) {
            e = (0..<x.rows).map { min(max(p[$0, 1], 0.01), 0.99) }
        } else {
            e = [Double](repeating: treatedShare, count: x.rows)
        }
        return (0..<x.rows).map { e[$0] * g0[$0] + (1 - e[$0]) * g1[$0] }
    }

    public var featureImportances: [Double]? {
        guard kind != .s else { return nil }
        let parts = (kind == .x ? [models[2], models[3]] : [models[0], models[1]]).compactMap(\.featureImportances)
        guard parts.count == 2, parts[0].count == parts[1].count else { return nil }
        let sum = zip(parts[0], parts[1]).map { ($0 + $1) / 2 }
        return sum
    }

    public var summary: JSONObject {
        var o = JSONObject()
        o["learner"] = .string("\(kind.rawValue)-learner")
        o["base_model"] = .string(base)
        o["treated_share"] = .double(treatedShare)
        o["ate_alpha"] = .double(ateAlpha)
        return o
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(kind.rawValue); writer.write(base); writer.write(treatedShare); writer.write(ateAlpha)
        writer.write(models.count)
        for m in models { ModelCodec.encode(m, to: &writer) }
        writer.write(propensity != nil)
        if let propensity { ModelCodec.encode(propensity, to: &writer) }
    }

    public init(from reader: inout ByteReader) throws {
        guard let k = MetaLearnerKind(rawValue: try reader.readString()) else { throw MMPError.corrupt("unknown meta-learner kind") }
        kind = k; base = try reader.readString(); treatedShare = try reader.readDouble(); ateAlpha = try reader.readDouble()
        let n = try reader.readInt()
        guard n == (k == .s ? 1 : k == .t ? 2 : 4) else { throw MMPError.corrupt("a stored \(k.rawValue)-learner has \(n) models") }
        models = try (0..<n).map { _ in try ModelCodec.decode(from: &reader) }
        propensity = try reader.readBool() ? try ModelCodec.decode(from: &reader) : nil
    }

    init(kind: MetaLearnerKind, base: String, models: [any TrainedModel], propensity: (any TrainedModel)?, treatedShare: Double, ateAlpha: Double) {
        self.kind = kind; self.base = base; self.models = models; self.propensity = propensity
        self.treatedShare = treatedShare; self.ateAlpha = ateAlpha
    }
}
