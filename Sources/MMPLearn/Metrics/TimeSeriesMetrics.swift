#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// Forecast metrics of the `timeseries` task, as the Python tool reports them: mse, rmse and
/// mae, and mape and smape in percent. mape skips rows whose truth is 0 (their percentage error
/// is undefined); smape skips rows where truth and forecast are both 0.
public enum TimeSeriesMetrics: MetricFamily {
    public static let descriptors: [MetricDescriptor] = [
        metric("mse", .minimize, "mean squared error", aliases: ["mean_squared_error"]) { t, p in
            RegressionMetrics.mean(zip(t, p).map { ($0 - $1) * ($0 - $1) })
        },
        metric("rmse", .minimize, "root mean squared error", aliases: ["root_mean_squared_error"]) { t, p in
            sqrt(RegressionMetrics.mean(zip(t, p).map { ($0 - $1) * ($0 - $1) }))
        },
        metric("mae", .minimize, "mean absolute error", aliases: ["mean_absolute_error"]) { t, p in
            RegressionMetrics.mean(zip(t, p).map { abs($0 - $1) })
        },
        metric("mape", .minimize, "mean absolute percentage error in percent, rows with a zero truth skipped",
               aliases: ["mean_absolute_percentage_error"]) { t, p in
            let errors = zip(t, p).filter { $0.0 != 0 }.map { abs(($0.0 - $0.1) / $0.0) }
            return errors.isEmpty ? nil : 100 * RegressionMetrics.mean(errors)
        },
        metric("smape", .minimize, "symmetric mean absolute percentage error in percent (0 to 200): |y - ŷ| / ((|y| + |ŷ|) / 2)",
               aliases: ["symmetric_mean_absolute_percentage_error"]) { t, p in
            let errors = zip(t, p).compactMap { y, f -> Double? in
                let d = (abs(y) + abs(f)) / 2
                return d == 0 ? nil : abs(y - f) / d
            }
            return errors.isEmpty ? 0 : 100 * RegressionMetrics.mean(errors)
        },
        metric("r2", .maximize, "coefficient of determination of the forecasts", aliases: ["r2_score"]) { t, p in
            let m = RegressionMetrics.mean(t)
            let residual = zip(t, p).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            let total = t.reduce(0) { $0 + ($1 - m) * ($1 - m) }
            return RegressionMetrics.finiteRatio(residual, total)
        },
    ]

    /// A metric over the rows where both truth and forecast are numbers; nil with no such rows.
    private static func metric(_ name: String, _ direction: MetricDirection, _ summary: String, aliases: [String],
                               _ compute: @escaping @Sendable ([Double], [Double]) -> Double?) -> MetricDescriptor {
        MetricDescriptor(name: name, aliases: aliases, task: .timeseries, direction: direction, summary: summary) { input in
            var t: [Double] = [], p: [Double] = []
            for (a, b) in zip(input.truth, input.predicted) where !a.isNaN && !b.isNaN { t.append(a); p.append(b) }
            guard !t.isEmpty else { return nil }
            return compute(t, p)
        }
    }
}
