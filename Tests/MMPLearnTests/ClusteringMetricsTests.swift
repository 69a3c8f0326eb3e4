import MMPCore
import Testing
@testable import MMPLearn

/// Silhouette, Calinski–Harabasz and Davies–Bouldin against scikit-learn on true labels
/// (Fixtures/misc_clustering_metrics.json), the silhouette sampling, and `inertia`.
@Suite struct ClusteringMetricsTests {
    @Test func equalScikitLearnOnTrueLabels() throws {
        let root = try MiscFixtures.load("misc_clustering_metrics")
        let tolerance = MiscFixtures.number(root, "relative_tolerance")
        let cases = (root["cases"]?.arrayValue ?? []).compactMap { $0.objectValue }
        #expect(cases.count == 2)
        for c in cases {
            let table = try MiscFixtures.table(c["data"]!.stringValue!)
            let x = try FeatureMatrix.build(table, columns: c["features"]!.arrayValue!.compactMap(\.stringValue))
            let labelColumn = try table.require(c["label_column"]!.stringValue!)
            let labels = try LabelEncoding(fitting: labelColumn).encode(labelColumn)
            let expected = c["metrics"]!.objectValue!
            let input = MetricInput(truth: [], predicted: labels, features: x)
            for name in ["silhouette_score", "calinski_harabasz", "davies_bouldin"] {
                let metric = try #require(MetricCatalog.lookup(name, task: .clustering))
                let ours = try #require(metric.compute(input))
                let theirs = expected[name]!.doubleValue!
                #expect(abs(ours - theirs) <= tolerance * abs(theirs), "\(c["name"]!.plainText) \(name): ours \(ours), scikit-learn \(theirs)")
            }
        }
    }

    /// Above the limit the silhouette comes from a seeded sample: close to the exact value,
    /// the same every time, and really a sample (not bit-equal to the exact value).
    @Test func silhouetteIsSampledAboveTheLimit() throws {
        let table = try MiscFixtures.table("moons.csv")
        let x = try FeatureMatrix.build(table, columns: ["x1", "x2", "noise1", "noise2"])
        let labels = try table.require("label").doubles!
        let exact = try #require(ClusteringMetrics.silhouette(x, labels: labels))
        let sampled = try #require(ClusteringMetrics.silhouette(x, labels: labels, sampleLimit: 600))
        let again = try #require(ClusteringMetrics.silhouette(x, labels: labels, sampleLimit: 600))
        let otherSeed = try #require(ClusteringMetrics.silhouette(x, labels: labels, sampleLimit: 600, seed: 1))
        #expect(sampled == again)
        #expect(sampled != exact && otherSeed != sampled)
        #expect(abs(sampled - exact) < 0.02)
        #expect(ClusteringMetrics.silhouetteSampleLimit == 10_000)
    }

    @Test func silhouetteDoesNotDependOnTheCoreCount() throws {
        var g = SeededGenerator(seed: 4)
        let x = Matrix(rows: 700, columns: 5, values: (0..<3500).map { _ in g.unit() })
        let labels = (0..<700).map { Double($0 % 3) }
        #expect(ClusteringMetrics.silhouette(x, labels: labels, threads: 1) == ClusteringMetrics.silhouette(x, labels: labels, threads: 2))
    }

    /// Hand-computed: clusters {0, 1} and {10}: the singleton scores 0; for 0, a = 1, b = 10,
    /// s = 0.9; for 1, a = 1, b = 9, s = 8/9.
    @Test func silhouetteByHandWithASingleton() throws {
        let x = Matrix(rows: 3, columns: 1, values: [0, 1, 10])
        let s = try #require(ClusteringMetrics.silhouette(x, labels: [4, 4, 7]))
        #expect(abs(s - (0.9 + 8.0 / 9.0) / 3) < 1e-12)
    }

    @Test func undefinedForOneClusterOrOneClusterPerRow() {
        let x = Matrix(rows: 3, columns: 1, values: [0, 1, 2])
        #expect(ClusteringMetrics.silhouette(x, labels: [0, 0, 0]) == nil)
        #expect(ClusteringMetrics.silhouette(x, labels: [0, 1, 2]) == nil)
        #expect(ClusteringMetrics.calinskiHarabasz(x, labels: [1, 1, 1]) == nil)
        #expect(ClusteringMetrics.daviesBouldin(x, labels: [0, 1, 2]) == nil)
    }

    @Test func inertiaComesFromTheModelsFigures() throws {
        let metric = try #require(MetricCatalog.lookup("inertia", task: .clustering))
        #expect(metric.direction == .minimize)
        #expect(metric.compute(MetricInput(truth: [], predicted: [], modelFigures: ["inertia": 12.5])) == 12.5)
        #expect(metric.compute(MetricInput(truth: [], predicted: [])) == nil)
        #expect(MetricCatalog.lookup("silhouette_score", task: .clustering)?.direction == .maximize)
        #expect(MetricCatalog.lookup("davies_bouldin_score", task: .clustering)?.direction == .minimize)
    }
}
