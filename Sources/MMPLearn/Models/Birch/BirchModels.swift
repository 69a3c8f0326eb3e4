import MMPCore

/// Birch clustering (task `clustering`), as scikit-learn's.
public enum BirchModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = [
        ModelDescriptor(
            name: "Birch", aliases: ["sklearn.cluster.Birch"], task: .clustering,
            summary: "Birch: a CF tree of subclusters (radius at most threshold), grouped into n_clusters by Ward's agglomerative clustering",
            parameters: [
                HyperparameterSpec("n_clusters", .optionalInt(1...1_000_000), default: 3,
                                   "clusters after the global step (null: every subcluster is a cluster)"),
                HyperparameterSpec("threshold", .double(1e-12...1e12), default: 0.5, "largest radius of a subcluster"),
                HyperparameterSpec("branching_factor", .int(2...100_000), default: 50, "most subclusters per tree node"),
                HyperparameterSpec("compute_labels", .bool, default: true, "accepted for scikit-learn recipes (labels are always computed)"),
                HyperparameterSpec("copy", .bool, default: true, "accepted for scikit-learn recipes (the input is never changed)"),
            ],
            make: { p in
                BirchEstimator(threshold: p.double("threshold"), branching: p.int("branching_factor"), clusters: p.optionalInt("n_clusters"))
            }),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [TrainedBirch.self]
}
