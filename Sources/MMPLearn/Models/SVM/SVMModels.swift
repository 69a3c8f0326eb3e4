import MMPCore

/// Support vector machines (libsvm's C-SVC and ε-SVR, as scikit-learn's SVC and SVR). Features
/// should be scaled (a standard_scaler step): the kernels compare raw distances.
public enum SVMModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = [
        ModelDescriptor(
            name: "SVC", aliases: ["sklearn.svm.SVC", "SupportVectorClassifier"], task: .classification,
            summary: "C-support vector classifier (libsvm's SMO, one-vs-one); probability=True adds Platt-scaled probabilities",
            parameters: shared + [
                HyperparameterSpec("probability", .bool, default: false,
                                   "class probabilities by Platt scaling on 5-fold decision values (fits 5 more models per class pair)"),
                HyperparameterSpec("class_weight", .choice(["null", "balanced"]), default: .null,
                                   "balanced: C scaled per class by n / (classes × class rows)"),
                HyperparameterSpec("decision_function_shape", .choice(["ovr", "ovo"]), default: "ovr",
                                   "accepted for scikit-learn recipes; predictions are one-vs-one votes either way"),
                HyperparameterSpec("break_ties", .bool, default: false,
                                   "with three or more classes, break tied votes by the summed decision values"),
            ],
            make: { p in
                SVCEstimator(settings: try settings(p), probability: p.bool("probability"),
                             balanced: p.string("class_weight") == "balanced", breakTies: p.bool("break_ties"))
            }),
        ModelDescriptor(
            name: "SVR", aliases: ["sklearn.svm.SVR", "SupportVectorRegressor"], task: .regression,
            summary: "epsilon-support vector regression (libsvm's SMO)",
            parameters: shared + [
                HyperparameterSpec("epsilon", .double(0...1e12), default: 0.1, "no penalty for errors within epsilon of the target"),
            ],
            make: { p in SVREstimator(settings: try settings(p), epsilon: p.double("epsilon")) }),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [TrainedSVC.self, TrainedSVR.self]

    static let shared: [HyperparameterSpec] = [
        HyperparameterSpec("C", .double(1e-12...1e12), default: 1.0, "penalty on margin violations (larger: fit the training rows harder)"),
        HyperparameterSpec("kernel", .choice(SVMKernel.Kind.allCases.map(\.rawValue)), default: "rbf",
                           "linear: x·y; rbf: exp(-gamma ‖x-y‖²); poly: (gamma x·y + coef0)^degree; sigmoid: tanh(gamma x·y + coef0)"),
        HyperparameterSpec("degree", .int(0...100), default: 3, "degree of the poly kernel"),
        HyperparameterSpec("gamma", .numberOrChoice(1e-300...1e300, ["scale", "auto"]), default: "scale",
                           "kernel coefficient: scale = 1 / (features × variance of X), auto = 1 / features, or a number"),
        HyperparameterSpec("coef0", .double(-1e12...1e12), default: 0.0, "constant term of the poly and sigmoid kernels"),
        HyperparameterSpec("tol", .double(1e-15...10), default: 1e-3, "stop when the largest KKT violation is below this"),
        HyperparameterSpec("shrinking", .bool, default: true,
                           "accepted for scikit-learn recipes; the solver scans every variable (the same solution)"),
        HyperparameterSpec("cache_size", .double(1...1_000_000), default: 200.0, "kernel column cache in MB"),
        HyperparameterSpec("max_iter", .int(-1...Int(Int32.max)), default: -1, "solver iterations at most (-1: no limit)"),
    ]

    static func settings(_ p: Hyperparameters) throws -> SVMSettings {
        guard let kind = SVMKernel.Kind(rawValue: p.string("kernel")) else {
            throw MMPError(.invalidRecipe, "unknown SVM kernel '\(p.string("kernel"))'")
        }
        let maxIterations = p.int("max_iter")
        return SVMSettings(kernel: kind, gamma: p["gamma"] ?? "scale", degree: p.int("degree"), coef0: p.double("coef0"),
                           c: p.double("C"), tolerance: p.double("tol"), maxIterations: maxIterations < 0 ? nil : maxIterations,
                           cacheBytes: Int(p.double("cache_size") * 1_048_576))
    }
}
