import MMPCore

/// Steps that derive new numeric features: bins and polynomial terms.
public enum FeatureGenerators: PreprocessorFamily {
    public static let descriptors: [PreprocessorDescriptor] = [
        PreprocessorDescriptor(
            name: "kbins_discretizer",
            summary: "cuts numeric columns into bins (uniform width, quantiles or 1-D k-means), as bin indices or 0/1 columns <column>_<bin>",
            defaultColumns: .numeric,
            options: [
                StepOption("n_bins", .int(2...10_000), default: 5),
                StepOption("strategy", .choice(["uniform", "quantile", "kmeans"]), default: "quantile"),
                StepOption("encode", .choice(["onehot", "onehot-dense", "ordinal"]), default: "onehot"),
            ],
            fittedTypes: [FittedKBinsDiscretizer.self],
            make: { KBinsDiscretizer($0) }),
        PreprocessorDescriptor(
            name: "polynomial_features",
            summary: "products of numeric columns up to degree (a, b, a^2, a*b, b^2, ...) in place of the columns",
            defaultColumns: .numeric,
            options: [
                StepOption("degree", .int(1...10), default: 2),
                StepOption("interaction_only", .bool, default: false, "only products of distinct columns"),
                StepOption("include_bias", .bool, default: true, "add a column 'bias' of ones"),
            ],
            fittedTypes: [FittedPolynomialFeatures.self],
            make: { PolynomialFeatures($0) }),
    ]
}
