import MMPCore

/// Filled in as the metrics of this family land.
public enum RegressionMetrics: MetricFamily {
    public static let descriptors: [MetricDescriptor] = []
}
