import MMPCore

/// Histogram-based gradient boosting (LightGBM's algorithm): classification with binary log
/// loss or softmax, regression with squared error. Recipes written for LightGBM, XGBoost or
/// scikit-learn's boosting classes run here through the aliases; the defaults are LightGBM's.
public enum BoostingModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = [
        ModelDescriptor(
            name: "GradientBoostingClassifier",
            aliases: ["lightgbm.LGBMClassifier", "xgboost.XGBClassifier", "sklearn.ensemble.HistGradientBoostingClassifier",
                      "sklearn.ensemble.GradientBoostingClassifier", "LGBMClassifier", "XGBClassifier", "HistGradientBoostingClassifier"],
            task: .classification,
            summary: "Histogram gradient boosting, leaf-wise trees (binary log loss, multiclass softmax)",
            parameters: classifierParameters, nativeCategorical: true,
            make: { BoostingEstimator(settings: try settings($0), classification: true, positiveWeight: $0.double("scale_pos_weight")) }),
        ModelDescriptor(
            name: "GradientBoostingRegressor",
            aliases: ["lightgbm.LGBMRegressor", "xgboost.XGBRegressor", "sklearn.ensemble.HistGradientBoostingRegressor",
                      "sklearn.ensemble.GradientBoostingRegressor", "LGBMRegressor", "XGBRegressor", "HistGradientBoostingRegressor"],
            task: .regression,
            summary: "Histogram gradient boosting, leaf-wise trees (squared error; objective quantile with alpha for a quantile)",
            parameters: regressorParameters, nativeCategorical: true,
            make: { BoostingEstimator(settings: try settings($0), classification: false, regression: try regressionObjective($0)) }),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [BoostedClassifier.self, BoostedRegressor.self, BoostedQuantileRegressor.self]

    static let parameters: [HyperparameterSpec] = [
        HyperparameterSpec("n_estimators", .int(1...100_000), default: 100,
                           aliases: ["max_iter", "num_boost_round", "num_iterations", "num_trees"], "boosting iterations"),
        HyperparameterSpec("learning_rate", .double(1e-6...10), default: 0.1, aliases: ["eta", "shrinkage_rate"],
                           "shrinkage applied to each tree"),
        HyperparameterSpec("num_leaves", .optionalInt(0...131_072), default: 31, aliases: ["max_leaf_nodes", "max_leaves"],
                           "most leaves per tree (null or 0: no limit)"),
        HyperparameterSpec("max_depth", .optionalInt(-1...10_000), default: .null, "deepest a tree may grow (null or -1: no limit)"),
        HyperparameterSpec("min_child_samples", .int(1...10_000_000), default: 20,
                           aliases: ["min_samples_leaf", "min_data_in_leaf"], "fewest rows in a leaf"),
        HyperparameterSpec("min_child_weight", .double(0...1e12), default: 1e-3, aliases: ["min_sum_hessian_in_leaf"],
                           "smallest hessian sum in a leaf"),
        HyperparameterSpec("subsample", .double(1e-6...1), default: 1.0, aliases: ["bagging_fraction"],
                           "share of rows each iteration trains on"),
        HyperparameterSpec("subsample_freq", .int(0...100_000), default: 1, aliases: ["bagging_freq"],
                           "draw a new row sample every this many iterations (when subsample < 1; 0 = draw once)"),
        HyperparameterSpec("colsample_bytree", .double(1e-6...1), default: 1.0, aliases: ["feature_fraction"],
                           "share of features each tree may split on"),
        // XGBoost samples features per tree, then per depth level and per node of it; the share a
        // split sees is the product. mmp draws that product once per tree.
        HyperparameterSpec("colsample_bylevel", .double(1e-6...1), default: 1.0,
                           "XGBoost's share per depth level: multiplies colsample_bytree (drawn per tree in mmp)"),
        HyperparameterSpec("colsample_bynode", .double(1e-6...1), default: 1.0,
                           "XGBoost's share per node: multiplies colsample_bytree (drawn per tree in mmp)"),
        HyperparameterSpec("reg_lambda", .double(0...1e12), default: 0.0, aliases: ["lambda_l2", "l2_regularization", "lambda"],
                           "L2 penalty on leaf values"),
        HyperparameterSpec("reg_alpha", .double(0...1e12), default: 0.0, aliases: ["lambda_l1", "alpha"], "L1 penalty on leaf values"),
        HyperparameterSpec("max_bins", .int(2...255), default: 255, aliases: ["max_bin"], "histogram bins per feature"),
        HyperparameterSpec("min_split_gain", .double(0...1e12), default: 0.0, aliases: ["min_gain_to_split", "gamma", "min_split_loss"],
                           "smallest loss reduction worth a split"),
        HyperparameterSpec("early_stopping_rounds", .int(0...100_000), default: 0,
                           aliases: ["early_stopping_round", "n_iter_no_change"],
                           "stop when the loss on the validation split has not improved for this many iterations (0: off)"),
        // LightGBM's smoothing of its category partitions: mmp splits on ordered target
        // statistics instead (see CategoricalBoosting), which carry their own prior.
        HyperparameterSpec("cat_smooth", .double(0...1e12), default: 10.0,
                           "accepted for LightGBM recipes; categories use ordered target statistics, not LightGBM's partitions"),
        HyperparameterSpec("cat_l2", .double(0...1e12), default: 10.0,
                           "accepted for LightGBM recipes; categories use ordered target statistics, not LightGBM's partitions"),
    ]

    /// The classifier's parameters: the shared ones and XGBoost's weight of the positive class.
    static let classifierParameters: [HyperparameterSpec] = parameters + [
        HyperparameterSpec("scale_pos_weight", .double(1e-12...1e12), default: 1.0,
                           "two classes: the positive rows' gradients and hessians are multiplied by this (XGBoost, LightGBM)"),
    ]

    /// The regressor's parameters: the shared ones, `objective`, and `alpha` as LightGBM reads
    /// it (the quantile level) when the objective is quantile — XGBoost's L1 penalty otherwise.
    static let regressorParameters: [HyperparameterSpec] = parameters.map { spec in
        var s = spec
        s.aliases.removeAll { $0 == "alpha" }
        return s
    } + [
        HyperparameterSpec("objective", .choice(["regression", "regression_l2", "l2", "mse", "squared_error", "reg:squarederror",
                                                 "quantile", "reg:quantileerror", "reg:squaredlogerror", "null"]),
                           default: "regression", aliases: ["loss"],
                           "squared error (regression), quantile (pinball loss at alpha), or reg:squaredlogerror"),
        HyperparameterSpec("alpha", .numberOrChoice(0...1e12, ["null"]), default: .null, aliases: ["quantile_alpha", "quantile"],
                           "with objective quantile: the quantile level in (0, 1), default 0.9 as LightGBM; otherwise XGBoost's L1 penalty (reg_alpha)"),
    ]

    static func regressionObjective(_ p: Hyperparameters) throws -> BoostingObjective {
        switch p.string("objective") {
        case "quantile", "reg:quantileerror":
            let alpha = p["alpha"]?.doubleValue ?? 0.9
            guard alpha > 0, alpha < 1 else { throw MMPError(.invalidRecipe, "objective quantile needs alpha strictly between 0 and 1, found \(JSON.format(alpha))") }
            return .quantile(alpha: alpha)
        case "reg:squaredlogerror": return .squaredLogError
        default: return .squaredError
        }
    }

    static func settings(_ p: Hyperparameters) throws -> BoostingSettings {
        let leaves = p.optionalInt("num_leaves") ?? 0
        if leaves == 1 {
            throw MMPError(.invalidRecipe, "num_leaves must be at least 2 (or 0 or null for no limit); a tree of one leaf learns nothing")
        }
        return BoostingSettings(
            iterations: p.int("n_estimators"),
            learningRate: p.double("learning_rate"),
            limits: GrowthLimits(numLeaves: leaves >= 2 ? leaves : 131_072,
                                 maxDepth: TreeInputs.depthLimit(p.optionalInt("max_depth")),
                                 minChildSamples: p.int("min_child_samples"),
                                 minChildWeight: p.double("min_child_weight"),
                                 lambda: p.double("reg_lambda"),
                                 alpha: p.double("reg_alpha") + (quantileObjective(p) ? 0 : p["alpha"]?.doubleValue ?? 0),
                                 minSplitGain: p.double("min_split_gain")),
            subsample: p.double("subsample"),
            subsampleFrequency: p.int("subsample_freq"),
            colsampleByTree: p.double("colsample_bytree") * p.double("colsample_bylevel") * p.double("colsample_bynode"),
            maxBins: p.int("max_bins"),
            earlyStoppingRounds: p.int("early_stopping_rounds"))
    }
}

extension BoostingModels {
    static func quantileObjective(_ p: Hyperparameters) -> Bool { ["quantile", "reg:quantileerror"].contains(p.string("objective")) }
}

struct BoostingEstimator: Estimator {
    var settings: BoostingSettings
    var classification: Bool
    var regression: BoostingObjective = .squaredError
    /// Feature names (or indices) to treat as categories besides the text columns (CatBoost's cat_features).
    var categoricalNames: [String] = []
    /// `scale_pos_weight`: the positive class's weight in a binary problem.
    var positiveWeight: Double = 1

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        let name = classification ? "GradientBoostingClassifier" : "GradientBoostingRegressor"
        // Categorical columns become ordered target statistics first (CategoricalBoosting).
        let categorical = try CategoricalBoosting.categoricalFeatures(data, named: categoricalNames)
        if !categorical.isEmpty {
            try TreeInputs.check(data, model: name, classification: classification)
            return try CategoricalBoosting.fit(data, categorical: categorical, classification: classification, context: context) {
                try fit($0, context: context)
            }
        }
        try TreeInputs.check(data, model: name, classification: classification)
        if regression == .squaredLogError, let bad = data.target.first(where: { $0 <= -1 }) {
            throw MMPError.invalidData("\(name): objective reg:squaredlogerror needs targets above -1 (log(1 + y)); the target holds \(JSON.format(bad))")
        }
        let objective: BoostingObjective = !classification ? regression
            : data.classCount == 2 ? .binaryLogLoss(positiveWeight: positiveWeight) : .softmax(classes: data.classCount)
        var validation = data.validation
        if settings.earlyStoppingRounds > 0, let v = validation {
            guard v.target.count == v.features.rows, v.features.columns == data.features.columns else {
                throw MMPError.invalidData("\(name): the validation rows do not match the training features")
            }
            // Rows without a usable target cannot be scored; early stopping skips them.
            let usable = (0..<v.target.count).filter { r in
                let y = v.target[r]
                return classification ? (y >= 0 && y < Double(data.classCount) && y == y.rounded()) : y.isFinite
            }
            if usable.count < v.target.count {
                validation = EvaluationSet(features: v.features.selecting(rows: usable), target: usable.map { v.target[$0] })
            }
        }
        let ensemble = try GradientBooster.train(features: data.features, target: data.target, objective: objective,
                                                 settings: settings, validation: validation, context: context)
        if classification { return BoostedClassifier(ensemble: ensemble, classCount: data.classCount) }
        if case .quantile(let alpha) = regression { return BoostedQuantileRegressor(ensemble: ensemble, alpha: alpha) }
        return BoostedRegressor(ensemble: ensemble)
    }
}

/// A fitted gradient-boosting classifier.
public struct BoostedClassifier: TrainedModel {
    public static let typeName = "GradientBoostingClassifier"
    var ensemble: BoostedEnsemble
    public let classCount: Int

    init(ensemble: BoostedEnsemble, classCount: Int) { self.ensemble = ensemble; self.classCount = classCount }

    public func predict(_ features: Matrix) -> [Double] {
        TreeInputs.argmax(probabilityValues(features), rows: features.rows, classes: classCount)
    }

    public func predictProbabilities(_ features: Matrix) -> Matrix? {
        Matrix(rows: features.rows, columns: classCount, values: probabilityValues(features))
    }

    public func predictWithProbabilities(_ features: Matrix) -> (predictions: [Double], probabilities: Matrix?) {
        let values = probabilityValues(features)
        return (TreeInputs.argmax(values, rows: features.rows, classes: classCount),
                Matrix(rows: features.rows, columns: classCount, values: values))
    }

    private func probabilityValues(_ features: Matrix) -> [Double] {
        BoostingObjective.probabilities(ensemble.rawScores(features), rows: features.rows, classes: classCount)
    }

    public var featureImportances: [Double]? { TreeInputs.normalized(ensemble.gains) }
    public var summary: JSONObject { ensemble.summary }

    public func encode(to writer: inout ByteWriter) {
        writer.write(classCount)
        ensemble.encode(to: &writer)
    }

    public init(from reader: inout ByteReader) throws {
        classCount = try reader.readInt()
        ensemble = try BoostedEnsemble(from: &reader)
        guard classCount >= 2, ensemble.outputs == (classCount == 2 ? 1 : classCount) else {
            throw MMPError.corrupt("a stored boosting classifier has \(ensemble.outputs) outputs for \(classCount) classes")
        }
    }
}

/// A fitted gradient-boosting regressor.
public struct BoostedRegressor: TrainedModel {
    public static let typeName = "GradientBoostingRegressor"
    var ensemble: BoostedEnsemble

    init(ensemble: BoostedEnsemble) { self.ensemble = ensemble }

    public func predict(_ features: Matrix) -> [Double] { ensemble.rawScores(features) }
    public var featureImportances: [Double]? { TreeInputs.normalized(ensemble.gains) }
    public var summary: JSONObject { ensemble.summary }

    public func encode(to writer: inout ByteWriter) { ensemble.encode(to: &writer) }

    public init(from reader: inout ByteReader) throws {
        ensemble = try BoostedEnsemble(from: &reader)
        guard ensemble.outputs == 1 else { throw MMPError.corrupt("a stored boosting regressor has \(ensemble.outputs) outputs") }
    }
}

/// A fitted gradient-boosting regressor of the alpha-quantile (objective quantile).
public struct BoostedQuantileRegressor: TrainedModel {
    public static let typeName = "GradientBoostingQuantileRegressor"
    var ensemble: BoostedEnsemble
    public let alpha: Double

    init(ensemble: BoostedEnsemble, alpha: Double) { self.ensemble = ensemble; self.alpha = alpha }

    public func predict(_ features: Matrix) -> [Double] { ensemble.rawScores(features) }
    public var featureImportances: [Double]? { TreeInputs.normalized(ensemble.gains) }
    public var summary: JSONObject {
        var o = ensemble.summary
        o["quantile_alpha"] = .double(alpha)
        return o
    }

    public func encode(to writer: inout ByteWriter) { writer.write(alpha); ensemble.encode(to: &writer) }

    public init(from reader: inout ByteReader) throws {
        alpha = try reader.readDouble()
        ensemble = try BoostedEnsemble(from: &reader)
        guard ensemble.outputs == 1, alpha > 0, alpha < 1 else { throw MMPError.corrupt("a stored quantile booster does not fit together") }
    }
}

extension BoostedEnsemble {
    var summary: JSONObject {
        var o = JSONObject()
        o["iterations"] = .int(iterations)
        o["iterations_run"] = .int(iterationsRun)
        o["trees"] = .int(trees.count)
        o["leaves"] = .int(trees.reduce(0) { $0 + $1.leafCount })
        if !validationLoss.isEmpty, iterations > 0 {
            o["best_iteration"] = .int(iterations)
            o["best_validation_loss"] = .double(validationLoss[iterations - 1])
        }
        return o
    }
}
