import MMPCore

/// k-nearest neighbours. The fitted model keeps every training row (see `NeighborMemory` for
/// what that costs in the bundle) and searches them by brute force with SIMD distance blocks,
/// or with a k-d tree below 16 features; both use every available core when predicting.
public enum NeighborModels: ModelFamily {
    static func parameters() -> [HyperparameterSpec] {
        [
            HyperparameterSpec("n_neighbors", .int(1...100_000), default: 5, aliases: ["k"], "neighbours that vote"),
            HyperparameterSpec("weights", .choice(["uniform", "distance"]), default: "uniform",
                               "uniform: every neighbour counts the same; distance: by 1/distance"),
            HyperparameterSpec("metric", .choice(["minkowski", "euclidean", "l2", "manhattan", "cityblock", "l1", "chebyshev", "infinity"]),
                               default: "minkowski", "distance between rows (minkowski uses p)"),
            HyperparameterSpec("p", .double(1...1000), default: 2, "Minkowski power: 1 = manhattan, 2 = euclidean"),
            HyperparameterSpec("algorithm", .choice(["auto", "brute", "kd_tree", "ball_tree"]), default: "auto",
                               "search structure (auto: k-d tree below 16 features; ball_tree is served by the k-d tree); the answer is the same"),
            HyperparameterSpec("leaf_size", .int(1...100_000), default: 30, "rows per k-d tree leaf"),
        ]
    }

    public static let descriptors: [ModelDescriptor] = [
        ModelDescriptor(name: "KNeighborsClassifier", aliases: ["sklearn.neighbors.KNeighborsClassifier"], task: .classification,
                        summary: "k-nearest-neighbours vote (stores the training rows in the bundle)", parameters: parameters(),
                        make: { p in
                            _ = try DistanceMetric.named(p.string("metric"), p: p.double("p"))
                            return KNeighborsEstimator(settings: NeighborSettings(p), classifier: true)
                        }),
        ModelDescriptor(name: "KNeighborsRegressor", aliases: ["sklearn.neighbors.KNeighborsRegressor"], task: .regression,
                        summary: "k-nearest-neighbours mean (stores the training rows in the bundle)", parameters: parameters(),
                        make: { p in
                            _ = try DistanceMetric.named(p.string("metric"), p: p.double("p"))
                            return KNeighborsEstimator(settings: NeighborSettings(p), classifier: false)
                        }),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [TrainedKNeighborsClassifier.self, TrainedKNeighborsRegressor.self]
}
