import MMPCore

/// Mixture models (task `clustering`): scikit-learn's GaussianMixture.
public enum MixtureModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = [
        ModelDescriptor(
            name: "GaussianMixture", aliases: ["sklearn.mixture.GaussianMixture"], task: .clustering,
            summary: "Gaussian mixture fitted by EM (full, tied, diag or spherical covariances; k-means start); predicts the most probable component, reports bic and aic",
            parameters: [
                HyperparameterSpec("n_components", .int(1...10_000), default: 1, aliases: ["n_clusters"], "mixture components"),
                HyperparameterSpec("covariance_type", .choice(CovarianceType.allCases.map(\.rawValue)), default: "full",
                                   "full: a full covariance per component; tied: one shared; diag: per-feature variances; spherical: one variance per component"),
                HyperparameterSpec("tol", .double(0...1e6), default: 1e-3, "stop when the mean log-likelihood changes by less than this"),
                HyperparameterSpec("reg_covar", .double(0...1e6), default: 1e-6, "added to the covariance diagonals (keeps them invertible)"),
                HyperparameterSpec("max_iter", .int(1...1_000_000), default: 100, "EM iterations per run at most"),
                HyperparameterSpec("n_init", .int(1...10_000), default: 1, "runs from different starts; the most likely kept"),
                HyperparameterSpec("init_params", .choice(GaussianMixtureEstimator.Initialization.allCases.map(\.rawValue)), default: "kmeans",
                                   "kmeans: labels of a k-means run; k-means++: each row to its nearest k-means++ centre; random: random memberships; random_from_data: k random rows"),
            ],
            make: { p in
                GaussianMixtureEstimator(components: p.int("n_components"), type: CovarianceType(rawValue: p.string("covariance_type")) ?? .full,
                                         tolerance: p.double("tol"), regularization: p.double("reg_covar"), maxIterations: p.int("max_iter"),
                                         runs: p.int("n_init"),
                                         initialization: GaussianMixtureEstimator.Initialization(rawValue: p.string("init_params")) ?? .kmeans)
            }),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [TrainedGaussianMixture.self]
}
