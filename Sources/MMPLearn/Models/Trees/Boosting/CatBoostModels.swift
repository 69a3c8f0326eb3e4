import MMPCore

/// CatBoost's classes and parameter names on mmp's histogram boosting, with CatBoost's defaults
/// (1000 iterations, depth 6, l2_leaf_reg 3, learning rate 0.03) and its answer to categorical
/// columns: ordered target statistics (`CategoryTargetStatistics`), so text columns need no
/// encoding step. The trees are grown leaf-wise to the depth limit (2^depth leaves at most)
/// rather than CatBoost's symmetric (oblivious) trees.
public enum CatBoostModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = [
        ModelDescriptor(
            name: "CatBoostClassifier", aliases: ["catboost.CatBoostClassifier"], task: .classification,
            summary: "gradient boosting with CatBoost's parameters and categorical handling (ordered target statistics); Logloss or MultiClass",
            parameters: parameters(loss: "Logloss", losses: ["Logloss", "CrossEntropy", "MultiClass", "MultiClassOneVsAll"]),
            nativeCategorical: true,
            make: { p in BoostingEstimator(settings: try settings(p), classification: true, categoricalNames: categoricalNames(p)) }),
        ModelDescriptor(
            name: "CatBoostRegressor", aliases: ["catboost.CatBoostRegressor"], task: .regression,
            summary: "gradient boosting with CatBoost's parameters and categorical handling (ordered target statistics); RMSE",
            parameters: parameters(loss: "RMSE", losses: ["RMSE"]),
            nativeCategorical: true,
            make: { p in BoostingEstimator(settings: try settings(p), classification: false, categoricalNames: categoricalNames(p)) }),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [CategoricalBoostedModel.self]

    static func parameters(loss: String, losses: [String]) -> [HyperparameterSpec] {
        [
            HyperparameterSpec("iterations", .int(1...100_000), default: 1000, aliases: ["n_estimators", "num_boost_round", "num_trees"],
                               "boosting iterations"),
            HyperparameterSpec("learning_rate", .double(1e-6...10), default: 0.03, aliases: ["eta"], "shrinkage applied to each tree"),
            HyperparameterSpec("depth", .int(1...16), default: 6, aliases: ["max_depth"], "depth of each tree (at most 2^depth leaves)"),
            HyperparameterSpec("l2_leaf_reg", .double(0...1e12), default: 3.0, aliases: ["reg_lambda"], "L2 penalty on leaf values"),
            HyperparameterSpec("border_count", .int(2...255), default: 254, aliases: ["max_bin"], "histogram bins per numeric feature"),
            // CatBoost's default is 1, but its symmetric trees regularise themselves; leaf-wise trees
            // with one-row leaves overfit the category statistics (log loss 0.64 against 0.62 with 20
            // on the shops fixture), so the default here is LightGBM's.
            HyperparameterSpec("min_data_in_leaf", .int(1...10_000_000), default: 20, aliases: ["min_child_samples"], "fewest rows in a leaf"),
            HyperparameterSpec("subsample", .double(1e-6...1), default: 1.0,
                               "share of rows each iteration trains on (with bootstrap_type Bernoulli or MVS)"),
            HyperparameterSpec("bootstrap_type", .choice(["Bayesian", "Bernoulli", "MVS", "Poisson", "No"]), default: "No",
                               "Bernoulli and MVS sample subsample of the rows per iteration; Bayesian, Poisson and No train on every row"),
            HyperparameterSpec("rsm", .double(1e-6...1), default: 1.0, aliases: ["colsample_bylevel"],
                               "share of features each tree may split on (CatBoost draws them per split)"),
            HyperparameterSpec("od_wait", .int(0...100_000), default: 0, aliases: ["early_stopping_rounds"],
                               "stop when the validation loss has not improved for this many iterations (0: off)"),
            HyperparameterSpec("cat_features", .stringList, default: .array([]),
                               "feature columns (names or indices) to treat as categories; text columns always are"),
            HyperparameterSpec("loss_function", .choice(losses), default: .string(loss), "the loss (log loss, softmax or squared error)"),
            HyperparameterSpec("random_strength", .double(0...1e6), default: 1.0, "accepted; split scores are not randomised"),
            HyperparameterSpec("one_hot_max_size", .int(0...1_000_000), default: 2, "accepted; every categorical column uses target statistics"),
            HyperparameterSpec("max_ctr_complexity", .int(0...100), default: 4, "accepted; categories are not combined"),
            HyperparameterSpec("model_size_reg", .double(0...1e6), default: 0.5, "accepted; no effect"),
            HyperparameterSpec("ctr_leaf_count_limit", .int(0...Int(Int32.max)), default: 0, "accepted; no effect"),
            HyperparameterSpec("leaf_estimation_iterations", .int(1...100), default: 1, "accepted; leaves take one Newton step"),
            HyperparameterSpec("leaf_estimation_method", .choice(["Newton", "Gradient", "Exact"]), default: "Newton", "accepted; leaves take one Newton step"),
            HyperparameterSpec("grow_policy", .choice(["SymmetricTree", "Depthwise", "Lossguide"]), default: "SymmetricTree",
                               "accepted; trees grow leaf-wise within the depth limit"),
            HyperparameterSpec("bagging_temperature", .double(0...1e6), default: 1.0, "accepted; no Bayesian bootstrap"),
            HyperparameterSpec("logging_level", .choice(["Silent", "Verbose", "Info", "Debug"]), default: "Silent", "accepted; no effect"),
            HyperparameterSpec("allow_writing_files", .bool, default: false, "accepted; nothing is written"),
            HyperparameterSpec("thread_count", .int(-1...1024), default: -1, "accepted; the fit uses the job's threads"),
        ]
    }

    static func categoricalNames(_ p: Hyperparameters) -> [String] {
        (p["cat_features"]?.arrayValue ?? []).map { $0.stringValue ?? $0.plainText }
    }

    static func settings(_ p: Hyperparameters) throws -> BoostingSettings {
        let depth = p.int("depth")
        let sampled = ["Bernoulli", "MVS"].contains(p.string("bootstrap_type"))
        return BoostingSettings(
            iterations: p.int("iterations"),
            learningRate: p.double("learning_rate"),
            limits: GrowthLimits(numLeaves: 1 << depth, maxDepth: depth, minChildSamples: p.int("min_data_in_leaf"),
                                 minChildWeight: 0, lambda: p.double("l2_leaf_reg"), alpha: 0, minSplitGain: 0),
            subsample: sampled ? p.double("subsample") : 1.0,
            subsampleFrequency: 1,
            colsampleByTree: p.double("rsm"),
            maxBins: min(255, p.int("border_count")),
            earlyStoppingRounds: p.int("od_wait"))
    }
}
