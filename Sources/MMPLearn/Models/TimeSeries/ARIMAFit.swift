#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// ARIMA(p, d, q) by exact maximum likelihood, as statsmodels' `tsa.arima.model.ARIMA` with its
/// defaults: the series differenced d times (statsmodels' exact diffuse initialisation of the
/// integrated states gives the same likelihood), a mean (`const`) estimated jointly when d = 0,
/// stationarity and invertibility enforced through statsmodels' parameter transformation, and
/// the innovation variance `sigma2` at its maximum-likelihood value.
public struct ARIMAOrder: Sendable, Equatable {
    public var p: Int
    public var d: Int
    public var q: Int
    /// Estimate a mean (statsmodels' default: when d = 0).
    public var mean: Bool
    public init(p: Int, d: Int, q: Int, mean: Bool? = nil) { self.p = p; self.d = d; self.q = q; self.mean = mean ?? (d == 0) }
}

public struct ARIMAFit: Sendable, Equatable {
    public var order: ARIMAOrder
    public var ar: [Double]
    public var ma: [Double]
    public var mean: Double
    public var sigma2: Double
    public var logLikelihood: Double
    /// Filter state after the last observation, and the last d values of each differencing level
    /// (to integrate forecasts back).
    var state: ARMAKalman.State
    var tails: [Double]
    public var iterations: Int
    public var converged: Bool
}

enum ARIMA {
    /// Differences d times; returns the differenced series and, per level, the last value
    /// before each differencing (to undo it).
    static func difference(_ y: [Double], _ d: Int) -> (series: [Double], tails: [Double]) {
        var z = y
        var tails: [Double] = []
        for _ in 0..<d {
            tails.append(z.last ?? 0)
            z = z.count > 1 ? (1..<z.count).map { z[$0] - z[$0 - 1] } : []
        }
        return (z, tails)
    }

    static func fit(_ y: [Double], order: ARIMAOrder) throws -> ARIMAFit {
        guard y.allSatisfy(\.isFinite) else { throw MMPError.invalidData("ARIMA: the series holds missing or infinite values; fill them first") }
        let (z, tails) = difference(y, order.d)
        let k = order.p + order.q + (order.mean ? 1 : 0)
        guard z.count > k + 1 else {
            throw MMPError.invalidData("ARIMA(\(order.p),\(order.d),\(order.q)) needs more than \(k + 1 + order.d) observations; the series has \(y.count)")
        }
        let scale = max(1e-12, standardDeviation(z))
        func unpack(_ x: [Double]) -> (ar: [Double], ma: [Double], mean: Double) {
            let ar = StationaryTransform.constrain(Array(x[0..<order.p]))
            let ma = StationaryTransform.constrain(Array(x[order.p..<(order.p + order.q)])).map { -$0 }
            return (ar, ma, order.mean ? x[order.p + order.q] * scale : 0)
        }
        func pack(_ ar: [Double], _ ma: [Double], _ mean: Double) -> [Double] {
            var x = (StationaryTransform.unconstrain(ar) ?? [Double](repeating: 0, count: order.p))
                + (StationaryTransform.unconstrain(ma.map { -$0 }) ?? [Double](repeating: 0, count: order.q))
            // The mean is optimised in units of the series' spread, so every parameter has unit scale.
            if order.mean { x.append(mean / scale) }
            return x
        }
        func negativeLogLikelihood(_ x: [Double]) -> Double {
            let (ar, ma, mean) = unpack(x)
            guard let filter = ARMAKalman(ar: ar, ma: ma) else { return .infinity }
            let centred = z.map { $0 - mean }
            let run = centred.withUnsafeBufferPointer { filter.run($0, from: filter.initialState) }
            let n = Double(z.count)
            let sigma2 = run.sumSquares / n
            return 0.5 * (n * (log(2 * Double.pi) + log(sigma2) + 1) + run.sumLogF)
        }
        // The likelihood of a mixed model can have a second optimum near the moving-average unit
        // root, where a Hannan–Rissanen start may land; starting also from the pure
        // autoregression (moving average 0) and from white noise, the best optimum is kept.
        let start = startingValues(z, order: order)
        var starts = [pack(start.ar, start.ma, start.mean)]
        if order.q > 0 {
            let ar = startingValues(z, order: ARIMAOrder(p: order.p, d: order.d, q: 0, mean: order.mean)).ar
            starts.append(pack(ar, [Double](repeating: 0, count: order.q), start.mean))
            starts.append(pack([Double](repeating: 0, count: order.p), [Double](repeating: 0, count: order.q), start.mean))
        }
        let unbounded = [Double](repeating: .infinity, count: starts[0].count)
        var result = BoundedLBFGS.Result(x: starts[0], value: .infinity, iterations: 0, converged: false)
        var iterations = 0
        for x0 in starts {
            let r: BoundedLBFGS.Result
            if x0.isEmpty {
                r = BoundedLBFGS.Result(x: [], value: negativeLogLikelihood([]), iterations: 0, converged: true)
            } else {
                r = BoundedLBFGS(maxIterations: 500, gradientTolerance: 1e-9).minimize(
                    x0, lower: unbounded.map { -$0 }, upper: unbounded) { x, g in
                    BoundedLBFGS.numericalGradient(x, lower: unbounded.map { -$0 }, upper: unbounded, into: &g, negativeLogLikelihood)
                    return negativeLogLikelihood(x)
                }
            }
            iterations += r.iterations
            if r.value < result.value - 1e-9 * abs(r.value) { result = r }
        }
        result.iterations = iterations
        let (ar, ma, mean) = unpack(result.x)
        guard let filter = ARMAKalman(ar: ar, ma: ma) else { throw MMPError.invalidData("ARIMA: the fitted model is not stationary") }
        let centred = z.map { $0 - mean }
        let run = centred.withUnsafeBufferPointer { filter.run($0, from: filter.initialState) }
        let sigma2 = run.sumSquares / Double(z.count)
        guard sigma2.isFinite, result.value.isFinite else { throw MMPError.invalidData("ARIMA could not fit this series (the likelihood is not finite)") }
        return ARIMAFit(order: order, ar: ar, ma: ma, mean: mean, sigma2: sigma2, logLikelihood: -result.value,
                        state: run.state, tails: tails, iterations: result.iterations, converged: result.converged)
    }

    static func standardDeviation(_ z: [Double]) -> Double {
        let m = z.reduce(0, +) / Double(max(1, z.count))
        return (z.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(1, z.count))).squareRoot()
    }

    /// Hannan–Rissanen starting values: a long autoregression's residuals stand in for the
    /// innovations, then least squares of z on its own lags and the lagged residuals.
    static func startingValues(_ z: [Double], order: ARIMAOrder) -> (ar: [Double], ma: [Double], mean: Double) {
        let mean = order.mean ? z.reduce(0, +) / Double(z.count) : 0
        let c = z.map { $0 - mean }
        guard order.p + order.q > 0 else { return ([], [], mean) }
        var residuals = c
        if order.q > 0 {
            let long = min(max(order.p, order.q) + 5, max(1, c.count / 4))
            if let phi = leastSquares(c, lags: long, residuals: nil, q: 0) {
                residuals = c.indices.map { t in t < long ? 0 : c[t] - (0..<long).reduce(0) { $0 + phi[$1] * c[t - $1 - 1] } }
            }
        }
        guard let coefficients = leastSquares(c, lags: order.p, residuals: order.q > 0 ? residuals : nil, q: order.q) else {
            return ([Double](repeating: 0, count: order.p), [Double](repeating: 0, count: order.q), mean)
        }
        var ar = Array(coefficients[0..<order.p]), ma = Array(coefficients[order.p...])
        if StationaryTransform.unconstrain(ar) == nil { ar = [Double](repeating: 0, count: order.p) }
        if StationaryTransform.unconstrain(ma.map { -$0 }) == nil { ma = [Double](repeating: 0, count: order.q) }
        return (ar, ma, mean)
    }

    /// Least squares of c[t] on c[t−1…t−lags] and residuals[t−1…t−q].
    static func leastSquares(_ c: [Double], lags: Int, residuals: [Double]?, q: Int) -> [Double]? {
        let start = max(lags, q) + (residuals == nil ? 0 : q)
        let k = lags + q
        guard k > 0, c.count > start + k else { return nil }
        var gram = [Double](repeating: 0, count: k * k), rhs = [Double](repeating: 0, count: k)
        var row = [Double](repeating: 0, count: k)
        for t in start..<c.count {
            for j in 0..<lags { row[j] = c[t - j - 1] }
            if let residuals { for j in 0..<q { row[lags + j] = residuals[t - j - 1] } }
            for i in 0..<k {
                rhs[i] += row[i] * c[t]
                for j in 0..<k { gram[i * k + j] += row[i] * row[j] }
            }
        }
        return SymmetricSolve.cholesky(gram, rhs, k)
    }
}

extension ARIMAFit {
    var filter: ARMAKalman { ARMAKalman(ar: ar, ma: ma)! }

    /// Forecasts of the next `steps` values of the original series.
    func forecast(steps: Int) -> [Double] {
        let dz = filter.forecast(from: state, steps: steps).map { $0 + mean }
        return ARIMAFit.integrate(dz, tails: tails)
    }

    /// Undoes the differencing of forecasts given the last value of each level.
    static func integrate(_ forecasts: [Double], tails: [Double]) -> [Double] {
        var out = forecasts
        for last in tails.reversed() {
            var level = last
            out = out.map { level += $0; return level }
        }
        return out
    }

    /// The fit with new observations of the original series filtered in (parameters unchanged).
    func extended(with observations: [Double]) -> ARIMAFit {
        guard !observations.isEmpty else { return self }
        var copy = self
        // Differencing levels: level 0 is the raw series, level i the i-times differenced one.
        var lasts = tails
        var z: [Double] = []
        for y in observations {
            var value = y
            for i in 0..<lasts.count {
                let diff = value - lasts[i]
                lasts[i] = value
                value = diff
            }
            z.append(value - mean)
        }
        copy.tails = lasts
        copy.state = z.withUnsafeBufferPointer { filter.run($0, from: state).state }
        return copy
    }
}
