import MMPCore

/// Predictions of one quantile level (0.5 for the median), one per row.
public struct QuantilePrediction: Sendable, Equatable {
    public var level: Double
    public var values: [Double]
    public init(level: Double, values: [Double]) { self.level = level; self.values = values }

    /// `p50`, `p99.5`: the Python tool's name for a level (its `pred_pNN` columns).
    public var label: String { QuantilePrediction.label(level) }

    public static func label(_ level: Double) -> String {
        let percent = (level * 100 * 1e9).rounded() / 1e9
        return percent == percent.rounded() ? "p\(Int(percent))" : "p\(JSON.format(percent))"
    }
}

/// Metrics of quantile regression (the boosting `quantile` objective, `QuantileRegressorEnsemble`),
/// as the Python tool names them. The pinball loss of level q is mean(max(q·(y − ŷ), (q − 1)·(y − ŷ)))
/// (scikit-learn's `mean_pinball_loss`).
public enum QuantileMetrics: MetricFamily {
    public static let descriptors: [MetricDescriptor] = [
        MetricDescriptor(name: "pinball_loss", aliases: ["quantile_loss"], task: .regression, direction: .minimize,
                         summary: "pinball loss of the prediction at the model's quantile level (alpha; 0.5 when the model has none)") { input in
            pinball(input.truth, input.predicted, level: input.modelFigures["quantile_alpha"] ?? 0.5)
        },
        MetricDescriptor(name: "mean_pinball_loss", task: .regression, direction: .minimize,
                         summary: "pinball loss averaged over the model's quantile levels") { input in
            let levels = levels(input)
            let losses = levels.compactMap { pinball(input.truth, $0.values, level: $0.level) }
            return losses.isEmpty ? nil : losses.reduce(0, +) / Double(losses.count)
        },
        MetricDescriptor(name: "interval_coverage", task: .regression, direction: .maximize,
                         summary: "share of rows whose truth lies between the lowest and the highest quantile predicted") { input in
            guard input.quantiles.count >= 2 else { return nil }
            return coverage(input.truth, lower: input.quantiles.first!.values, upper: input.quantiles.last!.values)
        },
    ]

    /// `pinball_loss_p90`, `coverage_rate_p90`, `mae_p90`, `mean_pred_p90`: the per-level names.
    static func descriptor(named name: String) -> MetricDescriptor? {
        let key = name.lowercased()
        for (prefix, direction, summary) in [("pinball_loss_", MetricDirection.minimize, "pinball loss of quantile"),
                                             ("coverage_rate_", .maximize, "share of rows whose truth is at most the prediction of quantile"),
                                             ("mae_", .minimize, "mean absolute error of quantile"),
                                             ("mean_pred_", .maximize, "mean prediction of quantile")] where key.hasPrefix(prefix + "p") {
            let label = String(key.dropFirst(prefix.count))
            return MetricDescriptor(name: key, task: .regression, direction: direction, summary: "\(summary) \(label)") { input in
                guard let q = input.quantiles.first(where: { $0.label == label }) else { return nil }
                return figure(prefix, q, truth: input.truth)
            }
        }
        return nil
    }

    /// Every per-level metric of a quantile model, plus the mean pinball loss and the interval coverage.
    public static func all(_ input: MetricInput) -> [(String, Double)] {
        guard !input.quantiles.isEmpty else { return [] }
        var out: [(String, Double)] = []
        for q in input.quantiles {
            for prefix in ["pinball_loss_", "coverage_rate_", "mae_", "mean_pred_"] {
                if let v = figure(prefix, q, truth: input.truth) { out.append((prefix + q.label, v)) }
            }
        }
        for d in descriptors where d.name != "pinball_loss" { if let v = d.compute(input) { out.append((d.name, v)) } }
        return out
    }

    private static func figure(_ prefix: String, _ q: QuantilePrediction, truth: [Double]) -> Double? {
        let rows = zip(truth, q.values).filter { !$0.0.isNaN && !$0.1.isNaN }
        guard !rows.isEmpty else { return nil }
        let n = Double(rows.count)
        switch prefix {
        case "pinball_loss_": return pinball(truth, q.values, level: q.level)
        case "coverage_rate_": return Double(rows.filter { $0.0 <= $0.1 }.count) / n
        case "mae_": return rows.reduce(0) { $0 + abs($1.0 - $1.1) } / n
        default: return rows.reduce(0) { $0 + $1.1 } / n
        }
    }

    static func levels(_ input: MetricInput) -> [QuantilePrediction] {
        if !input.quantiles.isEmpty { return input.quantiles }
        return [QuantilePrediction(level: input.modelFigures["quantile_alpha"] ?? 0.5, values: input.predicted)]
    }

    public static func pinball(_ truth: [Double], _ predicted: [Double], level q: Double) -> Double? {
        var total = 0.0, n = 0
        for (y, f) in zip(truth, predicted) where !y.isNaN && !f.isNaN {
            let d = y - f
            total += d >= 0 ? q * d : (q - 1) * d
            n += 1
        }
        return n == 0 ? nil : total / Double(n)
    }

    static func coverage(_ truth: [Double], lower: [Double], upper: [Double]) -> Double? {
        var inside = 0, n = 0
        for i in 0..<min(truth.count, lower.count, upper.count) where !truth[i].isNaN {
            n += 1
            if truth[i] >= lower[i] && truth[i] <= upper[i] { inside += 1 }
        }
        return n == 0 ? nil : Double(inside) / Double(n)
    }
}
