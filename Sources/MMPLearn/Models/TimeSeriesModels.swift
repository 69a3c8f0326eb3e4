import MMPCore

/// Models of the `timeseries` task. Every regression model also serves a timeseries recipe,
/// trained on the lag, calendar and feature columns (see `LagFeatures`); these three are the
/// Python tool's time-series catalog.
public enum TimeSeriesModels: ModelFamily {
    static let trendChoices = ["add", "mul", "additive", "multiplicative", "null", "none"]

    public static let descriptors: [ModelDescriptor] = [
        ModelDescriptor(
            name: "LinearTrend",
            aliases: ["sklearn.linear_model.LinearRegression", "mmp.models.custom.timeseries_wrappers.LinearTrend"],
            task: .timeseries,
            summary: "least squares on the calendar, lag and rolling features (and the recipe's own columns)",
            parameters: [
                HyperparameterSpec("fit_intercept", .bool, default: true),
                HyperparameterSpec("positive", .bool, default: false, "constrain the coefficients to be non-negative"),
            ],
            make: { LinearTrendEstimator(fitIntercept: $0.bool("fit_intercept"), positive: $0.bool("positive")) }),
        ModelDescriptor(
            name: "ExponentialSmoothing",
            aliases: ["mmp.models.custom.timeseries_wrappers.ExponentialSmoothing", "statsmodels.tsa.holtwinters.ExponentialSmoothing",
                      "statsmodels.tsa.api.ExponentialSmoothing", "HoltWinters"],
            task: .timeseries,
            summary: "Holt-Winters exponential smoothing per series: additive or multiplicative trend (optionally damped) and seasonality, as statsmodels",
            parameters: [
                HyperparameterSpec("trend", .choice(trendChoices), default: "add", "trend component: add, mul, or null for none"),
                HyperparameterSpec("seasonal", .choice(trendChoices), default: .null, "seasonal component: add, mul, or null for none"),
                HyperparameterSpec("seasonal_periods", .int(2...100_000), default: 12, aliases: ["period", "seasonal_period"],
                                   "observations per season (12 for monthly data with a yearly cycle)"),
                HyperparameterSpec("damped_trend", .bool, default: false, aliases: ["damped"], "dampen the trend (φ in [0.8, 0.995])"),
            ],
            make: { p in
                let trend = component(p.string("trend")), seasonal = component(p.string("seasonal"))
                if p.bool("damped_trend"), trend == nil {
                    throw MMPError(.invalidRecipe, "ExponentialSmoothing: damped_trend needs a trend (add or mul)")
                }
                return HoltWintersEstimator(spec: HoltWintersSpec(trend: trend, damped: p.bool("damped_trend"), seasonal: seasonal,
                                                                   period: p.int("seasonal_periods")))
            }),
        ModelDescriptor(
            name: "ARIMA",
            aliases: ["mmp.models.custom.timeseries_wrappers.ARIMA", "statsmodels.tsa.arima.model.ARIMA"],
            task: .timeseries,
            summary: "ARIMA(p, d, q) per series by exact maximum likelihood (Kalman filter), as statsmodels",
            parameters: [
                HyperparameterSpec("order_p", .int(0...10), default: 1, aliases: ["p"], "autoregressive order"),
                HyperparameterSpec("order_d", .int(0...2), default: 1, aliases: ["d"], "differencing order"),
                HyperparameterSpec("order_q", .int(0...10), default: 1, aliases: ["q"], "moving-average order"),
                HyperparameterSpec("trend", .choice(["c", "n", "null"]), default: .null,
                                   "c: estimate a mean, n: none; null: statsmodels' default (c when order_d is 0)"),
            ],
            make: { p in
                let trend = p.string("trend")
                if trend == "c", p.int("order_d") > 0 {
                    throw MMPError(.invalidRecipe, "ARIMA: a constant (trend c) with differencing (order_d > 0) is a drift, which statsmodels refuses too; use trend n")
                }
                return ARIMAEstimator(order: ARIMAOrder(p: p.int("order_p"), d: p.int("order_d"), q: p.int("order_q"),
                                                        mean: trend == "null" ? nil : trend == "c"))
            }),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [TimeSeriesForecaster.self, SingleSeriesModel.self]

    static func component(_ text: String) -> HoltWintersSpec.Component? {
        switch text {
        case "add", "additive": return .add
        case "mul", "multiplicative": return .mul
        default: return nil
        }
    }
}
