#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// Classification metrics with scikit-learn's definitions. Truth and predictions are class
/// indices (sorted labels, see `LabelEncoding`); with two classes, class 1 is the positive one.
public enum ClassificationMetrics: MetricFamily {
    public static let descriptors: [MetricDescriptor] = [
        metric("accuracy", .maximize, "share of rows predicted correctly") { input in
            let scored = zip(input.truth, input.predicted).filter { $0.0.isFinite }
            guard !scored.isEmpty else { return nil }
            return Double(scored.filter { $0.0 == $0.1 }.count) / Double(scored.count)
        },
        metric("balanced_accuracy", .maximize, "mean recall over the classes present in the truth") { input in
            let counts = counts(input)
            let present = (0..<counts.classCount).filter { counts.actual[$0] > 0 }
            guard !present.isEmpty else { return nil }
            return present.reduce(0) { $0 + counts.recall($1) } / Double(present.count)
        },
        averaged("precision", nil, "correct positive predictions / positive predictions", .precision),
        averaged("recall", nil, "positives found / positives", .recall),
        averaged("f1", nil, "harmonic mean of precision and recall", .f1, aliases: ["f1_score"]),
        averaged("precision_macro", .macro, "precision averaged over classes, unweighted", .precision),
        averaged("recall_macro", .macro, "recall averaged over classes, unweighted", .recall),
        averaged("f1_macro", .macro, "f1 averaged over classes, unweighted", .f1),
        averaged("precision_weighted", .weighted, "precision averaged over classes, weighted by support", .precision),
        averaged("recall_weighted", .weighted, "recall averaged over classes, weighted by support", .recall),
        averaged("f1_weighted", .weighted, "f1 averaged over classes, weighted by support", .f1),
        metric("roc_auc", .maximize, "area under the ROC curve (binary; one-vs-rest macro for more classes)", aliases: ["auc", "roc_auc_ovr"]) { input in
            RankingCurves.oneVsRest(input, RankingCurves.rocAUC)
        },
        metric("average_precision", .maximize, "area under the precision-recall curve, uninterpolated (one-vs-rest macro for more classes)",
               aliases: ["pr_auc"]) { input in
            RankingCurves.oneVsRest(input, RankingCurves.averagePrecision)
        },
        metric("log_loss", .minimize, "mean negative log-likelihood of the true class (probabilities clipped to [eps, 1-eps])",
               aliases: ["logloss", "cross_entropy"]) { input in
            logLoss(input)
        },
    ]

    private static func metric(_ name: String, _ direction: MetricDirection, _ summary: String, aliases: [String] = [],
                               _ compute: @escaping @Sendable (MetricInput) -> Double?) -> MetricDescriptor {
        MetricDescriptor(name: name, aliases: aliases, task: .classification, direction: direction, summary: summary, compute: compute)
    }

    /// A per-class figure combined over classes; `average` nil means binary for two classes and
    /// macro for more.
    private static func averaged(_ name: String, _ average: ClassAverage?, _ summary: String,
                                 _ figure: ClassFigure,
                                 aliases: [String] = []) -> MetricDescriptor {
        let note = average == nil ? " (binary with class 1 positive; macro for more classes)" : ""
        return metric(name, .maximize, summary + note, aliases: aliases) { input in
            let counts = counts(input)
            let how = average ?? ClassAverage.natural(counts.classCount)
            return how.combine(counts) { counts.value(figure, $0) }
        }
    }

    private static func counts(_ input: MetricInput) -> ClassCounts {
        ClassCounts(truth: input.truth, predicted: input.predicted, classCount: input.classCount)
    }

    static func logLoss(_ input: MetricInput) -> Double? {
        guard let p = input.probabilities, p.rows == input.truth.count, p.rows > 0, p.columns >= 2 else { return nil }
        let eps = Double.ulpOfOne
        var total = 0.0
        for (row, t) in input.truth.enumerated() {
            guard t.isFinite, t >= 0, Int(t) < p.columns else { return nil }
            let q = p[row, Int(t)]
            guard !q.isNaN else { return nil }
            total -= log(min(max(q, eps), 1 - eps))
        }
        return total / Double(p.rows)
    }
}
