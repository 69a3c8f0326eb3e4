import MMPCore

/// Filled in as the metrics of this family land.
public enum ClusteringMetrics: MetricFamily {
    public static let descriptors: [MetricDescriptor] = []
}
