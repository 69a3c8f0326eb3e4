import MMPCore
import Testing
@testable import MMPLearn

/// Metrics against scikit-learn's on fixed inputs (fixtures from
/// scripts/reference/linear_reference.py), and the cases where a metric is undefined.
@Suite struct MetricsTests {
    @Test func classificationMetricsMatchScikitLearn() throws {
        let fixture = try ReferenceFixture.load("metrics_classification")
        let tolerance = try fixture.double("tolerance")
        let cases = try #require(fixture["cases"]?.arrayValue)
        #expect(cases.count >= 6)
        for c in cases {
            let name = c["name"]?.stringValue ?? "?"
            let rows = try #require(c["probabilities"]?.arrayValue).map { $0.arrayValue!.map { $0.doubleValue! } }
            let k = try #require(c["class_count"]?.intValue)
            let input = MetricInput(truth: try c.doubles("truth"), predicted: try c.doubles("predicted"),
                                    probabilities: Matrix(rows: rows.count, columns: k, values: rows.flatMap { $0 }), classCount: k)
            for (metric, expected) in try #require(c["expected"]?.objectValue) {
                let descriptor = try #require(MetricCatalog.lookup(metric, task: .classification), "no metric \(metric)")
                let got = descriptor.compute(input)
                if let want = expected.doubleValue {
                    let value = try #require(got, "\(name): \(metric) should be \(want), got nil")
                    #expect(abs(value - want) <= tolerance, "\(name): \(metric) ours \(value), scikit-learn \(want)")
                } else {
                    #expect(got == nil, "\(name): \(metric) is undefined in scikit-learn, ours \(String(describing: got))")
                }
            }
        }
    }

    @Test func regressionMetricsMatchScikitLearn() throws {
        let fixture = try ReferenceFixture.load("metrics_regression")
        let tolerance = try fixture.double("tolerance")
        for c in try #require(fixture["cases"]?.arrayValue) {
            let input = MetricInput(truth: try c.doubles("truth"), predicted: try c.doubles("predicted"))
            for (metric, expected) in try #require(c["expected"]?.objectValue) {
                let descriptor = try #require(MetricCatalog.lookup(metric, task: .regression), "no metric \(metric)")
                let want = try #require(expected.doubleValue)
                let got = try #require(descriptor.compute(input))
                // Relative for large figures (mse, mape with tiny denominators).
                #expect(abs(got - want) <= tolerance * max(1, abs(want)), "\(c["name"]!.plainText): \(metric) ours \(got), scikit-learn \(want)")
            }
        }
    }

    @Test func everyMetricHasADirectionAndTheLossesAreMinimised() {
        let minimised = Set(MetricCatalog.all.filter { $0.direction == .minimize }.map(\.name))
        #expect(minimised.isSuperset(of: ["log_loss", "mse", "rmse", "mae", "mape", "median_absolute_error"]))
        for name in ["accuracy", "f1", "roc_auc", "average_precision", "balanced_accuracy", "r2", "explained_variance"] {
            #expect(!minimised.contains(name), "\(name) must be maximised")
        }
        let classification = ["accuracy", "precision", "recall", "f1", "precision_macro", "recall_macro", "f1_macro",
                              "precision_weighted", "recall_weighted", "f1_weighted", "balanced_accuracy", "roc_auc", "log_loss",
                              "average_precision"]
        for name in classification { #expect(MetricCatalog.lookup(name, task: .classification) != nil, "\(name) missing") }
        for name in ["mse", "rmse", "mae", "r2", "mape", "median_absolute_error", "explained_variance"] {
            #expect(MetricCatalog.lookup(name, task: .regression) != nil, "\(name) missing")
        }
        for name in MetricCatalog.defaults(for: .classification) + MetricCatalog.defaults(for: .regression) {
            #expect(MetricCatalog.lookup(name, task: .classification) != nil || MetricCatalog.lookup(name, task: .regression) != nil)
        }
    }

    @Test func rankingMetricsAreUndefinedWithOneClassPresent() throws {
        let p = Matrix(rows: 3, columns: 2, values: [0.2, 0.8, 0.6, 0.4, 0.3, 0.7])
        let input = MetricInput(truth: [1, 1, 1], predicted: [1, 0, 1], probabilities: p, classCount: 2)
        #expect(MetricCatalog.lookup("roc_auc", task: .classification)!.compute(input) == nil)
        // Accuracy is still defined.
        #expect(MetricCatalog.lookup("accuracy", task: .classification)!.compute(input) == 2.0 / 3.0)
        // Without probabilities the probabilistic metrics are undefined, not zero.
        let noProbabilities = MetricInput(truth: [0, 1], predicted: [0, 1], classCount: 2)
        #expect(MetricCatalog.lookup("log_loss", task: .classification)!.compute(noProbabilities) == nil)
        #expect(MetricCatalog.lookup("average_precision", task: .classification)!.compute(noProbabilities) == nil)
    }

    @Test func rocAUCCountsTiesAsHalf() {
        // One positive and one negative with the same score: AUC 0.5 exactly.
        #expect(RankingCurves.rocAUC(positive: [true, false], score: [0.5, 0.5]) == 0.5)
        #expect(RankingCurves.rocAUC(positive: [true, false, true, false], score: [0.9, 0.1, 0.4, 0.4]) == 0.875)
    }

    @Test func binaryScoresTreatClassOneAsPositive() throws {
        // Truth 0,0,1,1; predictions 0,1,1,1: class 1 precision 2/3, recall 1.
        let input = MetricInput(truth: [0, 0, 1, 1], predicted: [0, 1, 1, 1], classCount: 2)
        let precision = try #require(MetricCatalog.lookup("precision", task: .classification)?.compute(input))
        let recall = try #require(MetricCatalog.lookup("recall", task: .classification)?.compute(input))
        #expect(abs(precision - 2.0 / 3.0) < 1e-12)
        #expect(recall == 1)
        // Macro averages both classes: class 0 precision 1, recall 1/2.
        let macro = try #require(MetricCatalog.lookup("recall_macro", task: .classification)?.compute(input))
        #expect(abs(macro - 0.75) < 1e-12)
    }
}
