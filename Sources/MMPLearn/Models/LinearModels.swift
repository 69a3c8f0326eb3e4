import MMPCore

/// Linear models with scikit-learn's objectives and hyperparameter names. The solvers live in
/// Models/Linear/.
public enum LinearModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = [
        ModelDescriptor(
            name: "LogisticRegression", aliases: ["sklearn.linear_model.LogisticRegression"], task: .classification,
            summary: "logistic regression, binary or multinomial: L2 by L-BFGS (scikit-learn's lbfgs objective), L1 or elastic net by proximal gradient",
            parameters: [
                HyperparameterSpec("C", .double(1e-12...1e12), default: 1.0, "inverse of the penalty strength"),
                HyperparameterSpec("penalty", .choice(["l2", "l1", "elasticnet", "none", "null"]), default: "l2",
                                   "l2 (by L-BFGS), l1 or elasticnet (by accelerated proximal gradient), or none for no penalty"),
                HyperparameterSpec("l1_ratio", .numberOrChoice(0...1, ["null"]), default: .null,
                                   "with penalty elasticnet: the L1 share of the penalty (null: 0.5; scikit-learn requires it)"),
                HyperparameterSpec("fit_intercept", .bool, default: true),
                HyperparameterSpec("max_iter", .int(1...1_000_000), default: 100, "L-BFGS iterations at most (proximal gradient: 10 × this steps)"),
                HyperparameterSpec("tol", .double(0...1), default: 1e-4,
                                   "L-BFGS: stop when no gradient component exceeds this; proximal gradient: when the largest coefficient change is below tol × the largest coefficient"),
                HyperparameterSpec("class_weight", .choice(["null", "none", "balanced"]), default: .null,
                                   "balanced: weight each class by n / (classes × its count)"),
                HyperparameterSpec("solver", .choice(["lbfgs", "newton-cg", "newton-cholesky", "sag", "saga", "liblinear"]), default: "lbfgs",
                                   "all minimise the same objective (liblinear also penalises the intercept; mmp never does): L-BFGS for l2 and none, proximal gradient for l1 and elasticnet"),
                HyperparameterSpec("multi_class", .choice(["auto", "multinomial"]), default: "auto",
                                   "more than two classes always use the multinomial (softmax) loss"),
            ],
            make: { LogisticRegressionEstimator($0) }),
        ModelDescriptor(
            name: "LinearRegression", aliases: ["sklearn.linear_model.LinearRegression"], task: .regression,
            summary: "ordinary least squares (minimum-norm solution for collinear features)",
            parameters: [HyperparameterSpec("fit_intercept", .bool, default: true),
                         HyperparameterSpec("positive", .bool, default: false, "constrain the coefficients to be non-negative")],
            make: { p in
                p.bool("positive") ? LinearTrendEstimator(fitIntercept: p.bool("fit_intercept"), positive: true, model: "LinearRegression") as any Estimator
                    : LeastSquaresEstimator(model: "LinearRegression", alpha: 0, fitIntercept: p.bool("fit_intercept"))
            }),
        ModelDescriptor(
            name: "Ridge", aliases: ["sklearn.linear_model.Ridge"], task: .regression,
            summary: "least squares with an L2 penalty alpha·‖w‖², solved in closed form",
            parameters: [
                HyperparameterSpec("alpha", .double(0...1e12), default: 1.0, "L2 penalty strength"),
                HyperparameterSpec("fit_intercept", .bool, default: true),
                HyperparameterSpec("solver", .choice(["auto", "cholesky", "svd", "lsqr", "sparse_cg", "sag", "saga", "lbfgs"]),
                                   default: "auto", "all reach the same minimum; mmp solves it in closed form"),
                HyperparameterSpec("max_iter", .optionalInt(1...1_000_000), default: .null, "unused: the solution is closed form"),
                HyperparameterSpec("tol", .double(0...1), default: 1e-4, "unused: the solution is closed form"),
                HyperparameterSpec("positive", .bool, default: false, "constrain the coefficients to be non-negative (projected coordinate descent)"),
            ],
            make: { p in
                p.bool("positive") ? LinearTrendEstimator(fitIntercept: p.bool("fit_intercept"), positive: true, model: "Ridge", alpha: p.double("alpha")) as any Estimator
                    : LeastSquaresEstimator(model: "Ridge", alpha: p.double("alpha"), fitIntercept: p.bool("fit_intercept"))
            }),
        ModelDescriptor(
            name: "Lasso", aliases: ["sklearn.linear_model.Lasso"], task: .regression,
            summary: "least squares with an L1 penalty, by cyclic coordinate descent",
            parameters: coordinateDescentParameters(l1Ratio: false),
            make: { coordinateDescent("Lasso", $0, l1Ratio: 1) }),
        ModelDescriptor(
            name: "ElasticNet", aliases: ["sklearn.linear_model.ElasticNet"], task: .regression,
            summary: "least squares with mixed L1 and L2 penalties, by cyclic coordinate descent",
            parameters: coordinateDescentParameters(l1Ratio: true),
            make: { coordinateDescent("ElasticNet", $0, l1Ratio: $0.double("l1_ratio")) }),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [LogisticRegressionModel.self, LinearRegressionModel.self]

    private static func coordinateDescentParameters(l1Ratio: Bool) -> [HyperparameterSpec] {
        var specs = [
            HyperparameterSpec("alpha", .double(0...1e12), default: 1.0, "penalty strength"),
            HyperparameterSpec("fit_intercept", .bool, default: true),
            HyperparameterSpec("max_iter", .int(1...1_000_000), default: 1000, "coordinate sweeps at most"),
            HyperparameterSpec("tol", .double(0...1), default: 1e-4, "duality-gap tolerance, relative to ‖y‖²"),
            HyperparameterSpec("selection", .choice(["cyclic", "random"]), default: "cyclic",
                               "coordinates are updated in order (random is accepted and runs cyclic: same minimum)"),
            HyperparameterSpec("positive", .bool, default: false, "constrain the coefficients to be non-negative"),
        ]
        if l1Ratio { specs.insert(HyperparameterSpec("l1_ratio", .double(0...1), default: 0.5, "share of the penalty that is L1"), at: 1) }
        return specs
    }

    private static func coordinateDescent(_ name: String, _ p: Hyperparameters, l1Ratio: Double) -> any Estimator {
        CoordinateDescentEstimator(model: name, alpha: p.double("alpha"), l1Ratio: l1Ratio, fitIntercept: p.bool("fit_intercept"),
                                   maxIterations: p.int("max_iter"), tolerance: p.double("tol"), positive: p.bool("positive"))
    }
}
