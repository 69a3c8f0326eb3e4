import MMPCore

/// Filled in as the metrics of this family land.
public enum ClassificationMetrics: MetricFamily {
    public static let descriptors: [MetricDescriptor] = []
}
