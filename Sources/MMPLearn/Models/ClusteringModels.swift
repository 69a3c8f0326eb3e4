import MMPCore

/// Clustering models (task `clustering`; the target is ignored).
public enum ClusteringModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = [
        ModelDescriptor(
            name: "KMeans", aliases: ["sklearn.cluster.KMeans"], task: .clustering,
            summary: "k-means (Lloyd's algorithm, k-means++ start); predicts the nearest centre, reports inertia",
            parameters: [
                HyperparameterSpec("n_clusters", .int(1...100_000), default: 8, aliases: ["k"], "clusters to find"),
                HyperparameterSpec("init", .choice(["k-means++", "random"]), default: "k-means++",
                                   "k-means++: greedy k-means++ with 2 + ln(k) trials per centre; random: k distinct rows"),
                HyperparameterSpec("n_init", .optionalInt(1...10_000), default: .null,
                                   "runs from different starts, the best kept (null = auto: 1 for k-means++, 10 for random)"),
                HyperparameterSpec("max_iter", .int(1...1_000_000), default: 300, "Lloyd iterations per run at most"),
                HyperparameterSpec("tol", .double(0...1), default: 1e-4,
                                   "stop when the centres move less than tol × the mean feature variance (squared)"),
                HyperparameterSpec("algorithm", .choice(["lloyd", "elkan", "auto", "full"]), default: "lloyd",
                                   "accepted for scikit-learn recipes; every value runs Lloyd's algorithm (elkan finds the same centres)"),
            ],
            make: { p in
                KMeansEstimator(clusters: p.int("n_clusters"), initialization: p.string("init"), runs: p.optionalInt("n_init"),
                                maxIterations: p.int("max_iter"), tolerance: p.double("tol"))
            }),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [TrainedKMeans.self]
}
