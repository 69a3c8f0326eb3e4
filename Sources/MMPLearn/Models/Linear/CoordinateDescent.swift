import MMPCore

/// scikit-learn's `ElasticNet` and `Lasso` (l1_ratio 1): minimises
/// (1/2n)·‖y − Xw − b‖² + alpha·l1_ratio·‖w‖₁ + (alpha·(1 − l1_ratio)/2)·‖w‖² by cyclic coordinate
/// descent, stopping as `enet_coordinate_descent` does: once the largest coefficient change in a
/// sweep is below `tol` relative to the largest coefficient, the duality gap is checked against
/// tol·‖y‖².
struct CoordinateDescentEstimator: Estimator {
    var model: String
    var alpha: Double
    var l1Ratio: Double
    var fitIntercept: Bool
    var maxIterations: Int
    var tolerance: Double
    /// scikit-learn's `positive`: coefficients held at or above 0.
    var positive = false

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        guard data.features.rows > 0 else { throw MMPError.invalidData("\(model) needs at least one training row") }
        try LinearChecks.requireFinite(data.features, model: model, names: data.featureNames)
        let centered = CenteredData(data.features, data.target, center: fitIntercept)
        let n = centered.rows, d = centered.featureCount
        let l1 = alpha * l1Ratio * Double(n), l2 = alpha * (1 - l1Ratio) * Double(n)
        var w = [Double](repeating: 0, count: d)
        var residual = centered.target
        let y = centered.target
        let gapTolerance = tolerance * VectorMath.dot(y, y)
        var iterations = 0, converged = false
        try centered.columns.withUnsafeBufferPointer { xb in
            try residual.withUnsafeMutableBufferPointer { rb in
                let x = xb.baseAddress!, r = rb.baseAddress!
                let norms = (0..<d).map { VectorMath.dot(x + $0 * n, x + $0 * n, n) }
                for sweep in 0..<maxIterations {
                    if sweep % 16 == 0 { try context.checkCancelled(); context.progress(Double(sweep) / Double(maxIterations)) }
                    iterations = sweep + 1
                    var largest = 0.0, largestChange = 0.0
                    for j in 0..<d where norms[j] != 0 {
                        let column = x + j * n
                        let old = w[j]
                        if old != 0 { VectorMath.axpy(old, column, r, n) }
                        let rho = VectorMath.dot(column, r, n)
                        var updated = rho.sign == .minus ? -max(abs(rho) - l1, 0) / (norms[j] + l2) : max(abs(rho) - l1, 0) / (norms[j] + l2)
                        if positive && updated < 0 { updated = 0 }
                        w[j] = updated
                        if updated != 0 { VectorMath.axpy(-updated, column, r, n) }
                        largestChange = max(largestChange, abs(updated - old))
                        largest = max(largest, abs(updated))
                    }
                    if largest == 0 || largestChange / largest < tolerance || sweep == maxIterations - 1 {
                        if dualityGap(x, r, y, w, n, d, l1, l2) < gapTolerance { converged = true; break }
                    }
                }
            }
        }
        context.progress(1)
        return LinearRegressionModel(model: model, coefficients: w, intercept: fitIntercept ? centered.intercept(w) : 0,
                                     iterations: iterations, converged: converged)
    }

    /// The elastic-net duality gap at w with residual r (as in scikit-learn's cd_fast).
    private func dualityGap(_ x: UnsafePointer<Double>, _ r: UnsafePointer<Double>, _ y: [Double], _ w: [Double],
                            _ n: Int, _ d: Int, _ l1: Double, _ l2: Double) -> Double {
        var dualNorm = 0.0
        for j in 0..<d {
            let v = VectorMath.dot(x + j * n, r, n) - l2 * w[j]
            // With positive coefficients only the positive side of Xᵀr constrains the dual (cd_fast).
            dualNorm = max(dualNorm, positive ? v : abs(v))
        }
        let rNorm2 = VectorMath.dot(r, r, n)
        let wNorm2 = VectorMath.dot(w, w)
        var scale = 1.0, gap: Double
        if dualNorm > l1 {
            scale = l1 / dualNorm
            gap = 0.5 * (rNorm2 + rNorm2 * scale * scale)
        } else {
            gap = rNorm2
        }
        let ry = y.withUnsafeBufferPointer { VectorMath.dot(r, $0.baseAddress!, n) }
        gap += l1 * w.reduce(0) { $0 + abs($1) } - scale * ry + 0.5 * l2 * (1 + scale * scale) * wNorm2
        return gap
    }
}
