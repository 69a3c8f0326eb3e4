import MMPCore

/// A fitted Holt-Winters model of one series.
public struct HoltWintersFit: Sendable, Equatable {
    public var parameters: HoltWintersParameters
    public var sse: Double
    public var state: HoltWintersState
    public var iterations: Int
    public var converged: Bool
}

extension HoltWinters {
    static let lowerBound = Double.ulpOfOne.squareRoot()

    /// Fits α, β, γ, φ and the initial states by least squares, as statsmodels' `fit()` with its
    /// defaults (brute-force start, then local minimisation).
    static func fit(_ y: [Double], spec: HoltWintersSpec) throws -> HoltWintersFit {
        guard y.allSatisfy(\.isFinite) else { throw MMPError.invalidData("ExponentialSmoothing: the series holds missing or infinite values; fill them first") }
        if spec.trend == .mul || spec.seasonal == .mul, !y.allSatisfy({ $0 > 0 }) {
            throw MMPError.invalidData("ExponentialSmoothing: a multiplicative trend or seasonality needs a strictly positive series")
        }
        guard y.count >= 2 else { throw MMPError.invalidData("ExponentialSmoothing needs at least 2 observations") }
        let m = spec.period
        let start = try initialStates(y, spec: spec)
        let hasTrend = spec.trend != nil, hasSeasonal = spec.seasonal != nil
        let initAlpha = 0.5 / Double(max(m, 1))
        // Full parameter vector in statsmodels' order: α, β, γ, l0, b0, φ, s0…s(m−1).
        var p = [initAlpha, hasTrend ? 0.1 * initAlpha : 0, hasSeasonal ? 0.05 * (1 - initAlpha) : 0,
                 start.level, hasTrend ? start.trend : 0, spec.damped ? 0.99 : 1] + start.seasonals
        let sel = [true, hasTrend, hasSeasonal, true, hasTrend, spec.damped] + [Bool](repeating: hasSeasonal, count: m)

        // Bounds of the free parameters (smoothing weights as fractions in [0, 1]).
        let trendLower: Double = spec.trend == .mul ? 0 : -.infinity
        let seasonLower: Double = spec.seasonal == .mul ? 0 : -.infinity
        let levelLower: Double = (spec.trend == .mul || spec.seasonal == .mul) ? 0 : -.infinity
        let allLower = [0, 0, 0, levelLower, trendLower, 0.8] + [Double](repeating: seasonLower, count: m)
        let allUpper = [1, 1, 1, .infinity, .infinity, 0.995] + [Double](repeating: .infinity, count: m)

        return try y.withUnsafeBufferPointer { yb -> HoltWintersFit in
            func parameters(_ q: [Double]) -> HoltWintersParameters {
                HoltWintersParameters(alpha: q[0], beta: q[1], gamma: q[2], phi: q[5], level: q[3], trend: q[4],
                                      seasonals: Array(q[6...]))
            }
            func sse(_ q: [Double]) -> Double { filter(yb, spec: spec, parameters(q), errors: nil).sse }

            // Brute-force start over (α, β, γ) with the initial states held, as statsmodels.
            var best = Double.infinity, bestPoint: [Double] = []
            for point in bruteForcePoints(sel: Array(sel[0..<3]), alpha: initAlpha) {
                var q = p
                var k = 0
                for i in 0..<3 where sel[i] { q[i] = point[k]; k += 1 }
                let v = sse(q)
                if v < best { best = v; bestPoint = point }
            }
            var k = 0
            for i in 0..<3 where sel[i] && !bestPoint.isEmpty { p[i] = bestPoint[k]; k += 1 }

            // Strictly inside the bounds, then α, β, γ to fractions.
            for i in p.indices where sel[i] {
                if p[i] <= allLower[i] { p[i] = allLower[i] + 1e-4 * ((allUpper[i].isFinite ? allUpper[i] : 100) - allLower[i]) }
                if p[i] >= allUpper[i] { p[i] = allUpper[i] - 1e-4 * (allUpper[i] - (allLower[i].isFinite ? allLower[i] : -100)) }
            }
            p = toFractions(p, sel: sel)

            let free = p.indices.filter { sel[$0] }
            let lower = free.map { allLower[$0] }, upper = free.map { allUpper[$0] }
            func full(_ x: [Double]) -> [Double] {
                var q = p
                for (j, i) in free.enumerated() { q[i] = x[j] }
                return toWeights(q, sel: sel)
            }
            // Stops when three iterations in a row lower the SSE by less than 1e-12 of it: the weights
            // are then settled far below the 1e-3 the statsmodels references are held to.
            let optimizer = BoundedLBFGS(maxIterations: 1000, gradientTolerance: 1e-9, functionTolerance: 1e-12)
            let result = optimizer.minimize(free.map { p[$0] }, lower: lower, upper: upper) { x, g in
                BoundedLBFGS.numericalGradient(x, lower: lower, upper: upper, into: &g) { sse(full($0)) }
                return sse(full(x))
            }
            let fitted = parameters(full(result.x))
            let (value, state) = filter(yb, spec: spec, fitted, errors: nil)
            guard value.isFinite else { throw MMPError.invalidData("ExponentialSmoothing could not fit this series (the squared error is not finite)") }
            return HoltWintersFit(parameters: fitted, sse: value, state: state, iterations: result.iterations, converged: result.converged)
        }
    }

    /// statsmodels' `_setup_brute` grid over the free smoothing weights.
    static func bruteForcePoints(sel: [Bool], alpha: Double) -> [[Double]] {
        let count = sel.filter { $0 }.count
        guard count > 0 else { return [] }
        let ns = 87 / count
        func linspace(_ a: Double, _ b: Double, _ n: Int) -> [Double] {
            n == 1 ? [a] : (0..<n).map { a + (b - a) * Double($0) / Double(n - 1) }
        }
        if !sel[0] {
            var axes: [[Double]] = []
            for i in 1..<3 where sel[i] {
                let lb = 0.005, ub = (i == 1 ? min(1, alpha) : min(1, 1 - alpha)) - 0.005
                axes.append(linspace(lb, ub, ns))
            }
            if axes.count == 1 { return axes[0].map { [$0] } }
            return axes[1].flatMap { g in axes[0].map { b in [b, g] } }
        }
        let alphas = linspace(0.005, 0.995, ns)
        if !sel[1] && !sel[2] { return alphas.map { [$0] } }
        var out: [[Double]] = []
        for a in alphas {
            let nb = Int((Double(ns) * a.squareRoot()).rounded(.up)), ng = Int((Double(ns) * (1 - a).squareRoot()).rounded(.up))
            if sel[1] && sel[2] {
                for g in linspace(0, min(1, 1 - a), ng) { for b in linspace(0, min(1, a), nb) { out.append([a, b, g]) } }
            } else if sel[1] {
                for b in linspace(0, min(1, a), nb) { out.append([a, b]) }
            } else {
                for g in linspace(0, min(1, 1 - a), ng) { out.append([a, g]) }
            }
        }
        return out
    }

    /// α, β, γ as statsmodels optimises them: α rescaled to [√ε, 1 − √ε], β as a share of α,
    /// γ as a share of 1 − α.
    static func toFractions(_ p: [Double], sel: [Bool]) -> [Double] {
        var q = p
        let alpha = p[0]
        if sel[0] { q[0] = (alpha - lowerBound) / ((1 - lowerBound) - lowerBound) }
        if sel[1] { q[1] = p[1] / min(alpha, 1) }
        if sel[2] { q[2] = p[2] / min(1 - alpha, 1) }
        return q
    }

    static func toWeights(_ q: [Double], sel: [Bool]) -> [Double] {
        var p = q
        var alpha = q[0]
        if sel[0] { alpha = lowerBound + q[0] * ((1 - lowerBound) - lowerBound); p[0] = alpha }
        if sel[1] { p[1] = q[1] * min(alpha, 1) }
        if sel[2] { p[2] = q[2] * min(1 - alpha, 1) }
        return p
    }
}
