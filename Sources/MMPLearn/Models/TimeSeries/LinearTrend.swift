import MMPCore

/// `LinearTrend`: least squares on the time-series features (calendar fields, lags, rolling
/// statistics and the recipe's own columns), as the Python tool's LinearTrend (scikit-learn's
/// LinearRegression on its generated time features). `positive: true` constrains the
/// coefficients to be non-negative (scikit-learn's `positive`), solved by projected coordinate
/// descent on the normal equations.
struct LinearTrendEstimator: Estimator {
    var fitIntercept: Bool
    var positive: Bool
    var model = "LinearTrend"
    /// Ridge's L2 penalty (0 for plain least squares).
    var alpha = 0.0

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        guard positive else {
            return try LeastSquaresEstimator(model: model, alpha: alpha, fitIntercept: fitIntercept).fit(data, context: context)
        }
        guard data.features.rows > 0 else { throw MMPError.invalidData("\(model) needs at least one training row") }
        try LinearChecks.requireFinite(data.features, model: model, names: data.featureNames)
        let equations = NormalEquations(data.features, data.target, center: fitIntercept, threads: context.threads)
        let d = data.features.columns
        var gram = equations.gram
        let xty = equations.xty
        for j in 0..<d { gram[j * d + j] += alpha }
        var w = [Double](repeating: 0, count: d)
        var sweeps = 0
        // Minimise ½wᵀGw − bᵀw subject to w ≥ 0, one coordinate at a time.
        while sweeps < 100_000 {
            sweeps += 1
            var largest = 0.0, scale = 0.0
            for j in 0..<d where gram[j * d + j] > 0 {
                var g = -xty[j]
                for k in 0..<d { g += gram[j * d + k] * w[k] }
                let updated = max(0, w[j] - g / gram[j * d + j])
                largest = max(largest, abs(updated - w[j]))
                scale = max(scale, abs(updated))
                w[j] = updated
            }
            if largest <= 1e-12 * max(scale, 1) { break }
            if sweeps % 100 == 0 { try context.checkCancelled() }
        }
        return LinearRegressionModel(model: model, coefficients: w, intercept: fitIntercept ? equations.intercept(w) : 0,
                                     iterations: sweeps, converged: sweeps < 100_000)
    }
}
