import MMPCore

/// Models of the `causal` task: S-, T- and X-learners over any regression model of the catalog
/// (`base_class_path`), with causalml's class paths as aliases. Every hyperparameter besides the
/// learner's own (`base_class_path`, `control_name`, `ate_alpha`, `booster`) goes to the base
/// model and is checked against it.
///
/// causalml's `CausalRandomForestRegressor` (a forest of causal trees) is not implemented; its
/// class path maps to `RandomForestXLearner`, an X-learner on random forests, the closest honest
/// alternative: forests model the outcome and the imputed effects, and the forest-specific
/// settings of causal trees (`n_reg`, `evaluationFunction`, `min_samples_treatment`) are accepted
/// and unused.
public enum CausalModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = [
        learner(.s, name: "SLearner", base: "LinearRegression",
                aliases: ["causalml.inference.meta.LRSRegressor", "LRSRegressor", "causalml.inference.meta.BaseSRegressor",
                          "BaseSRegressor", "causalml.inference.meta.BaseSLearner"],
                summary: "S-learner: one model of the outcome on the features and the treatment (default base: linear regression, causalml's LRSRegressor)"),
        learner(.t, name: "TLearner", base: "GradientBoostingRegressor",
                aliases: ["causalml.inference.meta.XGBTRegressor", "XGBTRegressor", "causalml.inference.meta.BaseTRegressor",
                          "BaseTRegressor", "causalml.inference.meta.BaseTLearner"],
                summary: "T-learner: one outcome model per arm (default base: gradient boosting, causalml's XGBTRegressor)"),
        learner(.x, name: "XLearner", base: "GradientBoostingRegressor",
                aliases: ["causalml.inference.meta.BaseXRegressor", "BaseXRegressor", "causalml.inference.meta.BaseXLearner"],
                summary: "X-learner: T-learner outcome models, imputed effects modelled per arm, blended by the propensity"),
        learner(.x, name: "RandomForestXLearner", base: "RandomForestRegressor",
                aliases: ["causalml.inference.tree.CausalRandomForestRegressor", "CausalRandomForestRegressor"],
                summary: "X-learner on random forests: mmp's stand-in for causalml's CausalRandomForestRegressor (not a forest of causal trees)",
                extra: [
                    HyperparameterSpec("n_reg", .double(0...1e12), default: 1, "causal-tree regularisation; unused (no causal trees)"),
                    HyperparameterSpec("evaluationFunction", .choice(["KL", "ED", "Chi", "CTS", "DDP", "IT", "CIT", "IDDP"]), default: "KL",
                                       "causal-tree split criterion; unused (no causal trees)"),
                    HyperparameterSpec("min_samples_treatment", .int(0...10_000_000), default: 50,
                                       "causal-tree rows per arm in a leaf; unused (no causal trees)"),
                    HyperparameterSpec("max_features", .numberOrChoice(0...1e9, ["auto", "sqrt", "log2", "all", "null"]), default: 1.0,
                                       "features per split of the forests (auto: all, scikit-learn's old regressor default)"),
                ]),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [MetaLearnerModel.self]

    /// The learner's own hyperparameters (the base model's are added by `parametersFor`).
    static func ownParameters(base: String) -> [HyperparameterSpec] {
        [
            HyperparameterSpec("base_class_path", .text, default: .string(base), aliases: ["learner", "base_learner"],
                               "the regression model of the outcome (any regression class path of the catalog)"),
            HyperparameterSpec("control_name", .text, default: "control", "the treatment column's value for the control group (text columns)"),
            HyperparameterSpec("ate_alpha", .double(1e-6...0.5), default: 0.05, "the ATE's confidence interval has level 1 - ate_alpha"),
            HyperparameterSpec("booster", .choice(["gbtree", "gblinear", "dart"]), default: "gbtree",
                               "XGBoost's booster: mmp boosts trees (gbtree) only"),
        ]
    }

    static func learner(_ kind: MetaLearnerKind, name: String, base: String, aliases: [String], summary: String,
                        extra: [HyperparameterSpec] = []) -> ModelDescriptor {
        var d = ModelDescriptor(name: name, aliases: aliases, task: .causal, summary: summary,
                                parameters: ownParameters(base: base) + extra,
                                make: { p in try makeLearner(kind, name: name, p, extra: extra) })
        d.parametersFor = { given in
            let own = ownParameters(base: base) + extra
            let path = given["base_class_path"]?.stringValue ?? given["learner"]?.stringValue ?? base
            guard let model = ModelCatalog.lookup(path, task: .regression), model.task == .regression else { return own }
            let ownNames = Set(own.flatMap { [$0.name] + $0.aliases })
            return own + model.parameters.filter { !ownNames.contains($0.name) }
        }
        return d
    }

    static func makeLearner(_ kind: MetaLearnerKind, name: String, _ p: Hyperparameters, extra: [HyperparameterSpec]) throws -> any Estimator {
        let path = p.string("base_class_path")
        guard let base = ModelCatalog.lookup(path, task: .regression), base.task == .regression else {
            let names = ModelCatalog.all.filter { $0.task == .regression }.map(\.name)
            throw MMPError(.invalidRecipe, "\(name): base_class_path '\(path)' is not a regression model\(Suggestion.hint(for: path, in: names)) (regression models: \(names.joined(separator: ", ")))")
        }
        if p.string("booster") != "gbtree" {
            throw MMPError(.invalidRecipe, "\(name): booster '\(p.string("booster"))' is not available; mmp boosts trees (booster: gbtree)")
        }
        let own = Set((ownParameters(base: "") + extra).map(\.name)).subtracting(["max_features"])
        var values = JSONObject()
        for (key, value) in p.values where !own.contains(key) && base.spec(named: key) != nil || key == "random_state" {
            values[key] = value
        }
        if values["max_features"]?.stringValue == "auto" { values["max_features"] = .double(1.0) }
        let (baseParameters, problems) = base.resolve(values)
        if let problem = problems.first { throw MMPError(.invalidRecipe, "\(name) (base \(base.name)): \(problem.name): \(problem.message)") }
        return MetaLearnerEstimator(kind: kind, name: name, base: base, baseParameters: baseParameters, ateAlpha: p.double("ate_alpha"))
    }
}
