import MMPCore

/// Steps that rescale numeric columns (by default every numeric feature column).
public enum Scalers: PreprocessorFamily {
    public static let descriptors: [PreprocessorDescriptor] = [
        PreprocessorDescriptor(
            name: "standard_scaler",
            summary: "(x - mean) / standard deviation of the training column (scikit-learn's StandardScaler; a constant column keeps scale 1)",
            defaultColumns: .numeric,
            options: [
                StepOption("with_mean", .bool, default: true, "subtract the mean"),
                StepOption("with_std", .bool, default: true, "divide by the standard deviation"),
            ],
            fittedTypes: [FittedAffineScaler.self],
            make: { StandardScaler($0) }),
        PreprocessorDescriptor(
            name: "min_max_scaler",
            summary: "maps the training range of each column onto feature_range (scikit-learn's MinMaxScaler)",
            defaultColumns: .numeric,
            options: [
                StepOption("feature_range", nil, default: [0, 1], "[low, high]"),
            ],
            fittedTypes: [FittedAffineScaler.self],
            make: { try MinMaxScaler($0) }),
        PreprocessorDescriptor(
            name: "robust_scaler",
            summary: "(x - median) / interquantile range, robust to outliers (scikit-learn's RobustScaler)",
            defaultColumns: .numeric,
            options: [
                StepOption("quantile_range", nil, default: [25.0, 75.0], "[low, high] percentiles"),
                StepOption("with_centering", .bool, default: true, "subtract the median"),
                StepOption("with_scaling", .bool, default: true, "divide by the interquantile range"),
            ],
            fittedTypes: [FittedAffineScaler.self],
            make: { try RobustScaler($0) }),
    ]
}
