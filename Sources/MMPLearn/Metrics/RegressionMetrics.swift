#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// Regression metrics with scikit-learn's definitions (including its finite fallbacks for
/// r2 and explained variance on a constant truth).
public enum RegressionMetrics: MetricFamily {
    public static let descriptors: [MetricDescriptor] = [
        metric("mse", .minimize, "mean squared error", aliases: ["mean_squared_error"]) { t, p in
            mean(zip(t, p).map { ($0 - $1) * ($0 - $1) })
        },
        metric("rmse", .minimize, "root mean squared error", aliases: ["root_mean_squared_error"]) { t, p in
            sqrt(mean(zip(t, p).map { ($0 - $1) * ($0 - $1) }))
        },
        metric("mae", .minimize, "mean absolute error", aliases: ["mean_absolute_error"]) { t, p in
            mean(zip(t, p).map { abs($0 - $1) })
        },
        metric("r2", .maximize, "coefficient of determination: 1 - SS_res / SS_tot", aliases: ["r2_score", "r_squared"]) { t, p in
            let m = mean(t)
            let residual = zip(t, p).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            let total = t.reduce(0) { $0 + ($1 - m) * ($1 - m) }
            return finiteRatio(residual, total)
        },
        metric("mape", .minimize, "mean absolute percentage error, as a fraction (|y| floored at machine epsilon)",
               aliases: ["mean_absolute_percentage_error"]) { t, p in
            mean(zip(t, p).map { abs($0 - $1) / max(abs($0), Double.ulpOfOne) })
        },
        metric("median_absolute_error", .minimize, "median of the absolute errors", aliases: ["medae"]) { t, p in
            median(zip(t, p).map { abs($0 - $1) })
        },
        metric("explained_variance", .maximize, "1 - Var(y - ŷ) / Var(y)", aliases: ["explained_variance_score"]) { t, p in
            let errors = zip(t, p).map { $0 - $1 }
            return finiteRatio(variance(errors), variance(t))
        },
    ]

    /// A metric over the rows where both truth and prediction are numbers; nil with no such rows.
    private static func metric(_ name: String, _ direction: MetricDirection, _ summary: String, aliases: [String],
                               _ compute: @escaping @Sendable ([Double], [Double]) -> Double) -> MetricDescriptor {
        MetricDescriptor(name: name, aliases: aliases, task: .regression, direction: direction, summary: summary) { input in
            var t: [Double] = [], p: [Double] = []
            t.reserveCapacity(input.truth.count); p.reserveCapacity(input.truth.count)
            for (a, b) in zip(input.truth, input.predicted) where !a.isNaN && !b.isNaN {
                t.append(a); p.append(b)
            }
            guard !t.isEmpty else { return nil }
            return compute(t, p)
        }
    }

    /// 1 - numerator / denominator, with scikit-learn's `force_finite` answers when the truth is
    /// constant: 1 for a perfect prediction, 0 otherwise.
    static func finiteRatio(_ numerator: Double, _ denominator: Double) -> Double {
        if denominator == 0 { return numerator == 0 ? 1 : 0 }
        return 1 - numerator / denominator
    }

    static func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }

    static func variance(_ v: [Double]) -> Double {
        let m = mean(v)
        return v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)
    }

    /// The middle value, or the mean of the two middle values (numpy's median).
    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }
}
