#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exact Gaussian likelihood of a stationary ARMA(p, q) process by the Kalman filter, in
/// Harvey's state-space form with the stationary initial covariance — what statsmodels' SARIMAX
/// evaluates. The innovation variance is concentrated out (its maximum-likelihood value is
/// mean(v²/F)), which leaves the maximiser of the other parameters unchanged.
struct ARMAKalman {
    let ar: [Double]
    let ma: [Double]
    /// State dimension max(p, q + 1).
    let r: Int
    /// Transition T (row-major r×r): the AR coefficients in the first column, ones above the diagonal.
    let transition: [Double]
    /// R·Rᵀ with R = (1, θ₁, …, θ_{r−1}).
    let disturbance: [Double]
    /// The stationary covariance of the state (with σ² = 1).
    let initialCovariance: [Double]

    init?(ar: [Double], ma: [Double]) {
        self.ar = ar; self.ma = ma
        let r = max(ar.count, ma.count + 1)
        self.r = r
        var t = [Double](repeating: 0, count: r * r)
        for i in 0..<r {
            if i < ar.count { t[i * r] = ar[i] }
            if i + 1 < r { t[i * r + i + 1] = 1 }
        }
        transition = t
        var rv = [Double](repeating: 0, count: r)
        rv[0] = 1
        for i in 0..<ma.count { rv[i + 1] = ma[i] }
        var rr = [Double](repeating: 0, count: r * r)
        for i in 0..<r { for j in 0..<r { rr[i * r + j] = rv[i] * rv[j] } }
        disturbance = rr
        guard let p0 = ARMAKalman.lyapunov(t, rr, r) else { return nil }
        initialCovariance = p0
    }

    /// Solves P = T P Tᵀ + Q for P (vectorised: (I − T⊗T) vec P = vec Q).
    static func lyapunov(_ t: [Double], _ q: [Double], _ r: Int) -> [Double]? {
        let k = r * r
        var a = [Double](repeating: 0, count: k * k)
        var b = q
        for i in 0..<r { for j in 0..<r {
            let row = i * r + j
            a[row * k + row] += 1
            for u in 0..<r { for v in 0..<r {
                a[row * k + u * r + v] -= t[i * r + u] * t[j * r + v]
            } }
        } }
        // Gaussian elimination with partial pivoting.
        for c in 0..<k {
            var pivot = c
            for row in (c + 1)..<max(k, c + 1) where abs(a[row * k + c]) > abs(a[pivot * k + c]) { pivot = row }
            guard abs(a[pivot * k + c]) > 1e-14 else { return nil }
            if pivot != c {
                for col in 0..<k { a.swapAt(c * k + col, pivot * k + col) }
                b.swapAt(c, pivot)
            }
            let d = a[c * k + c]
            for row in (c + 1)..<max(k, c + 1) {
                let f = a[row * k + c] / d
                if f == 0 { continue }
                for col in c..<k { a[row * k + col] -= f * a[c * k + col] }
                b[row] -= f * b[c]
            }
        }
        var x = [Double](repeating: 0, count: k)
        for c in stride(from: k - 1, through: 0, by: -1) {
            var s = b[c]
            for col in (c + 1)..<max(k, c + 1) { s -= a[c * k + col] * x[col] }
            x[c] = s / a[c * k + c]
        }
        // Symmetrise against rounding.
        for i in 0..<r { for j in 0..<i { let m = (x[i * r + j] + x[j * r + i]) / 2; x[i * r + j] = m; x[j * r + i] = m } }
        return x
    }

    /// The filter's state after some observations: mean and covariance (σ² = 1).
    struct State: Sendable, Equatable {
        var mean: [Double]
        var covariance: [Double]
    }

    var initialState: State { State(mean: [Double](repeating: 0, count: r), covariance: initialCovariance) }

    /// Runs the filter over `z` (the demeaned, differenced series) from `state`. Returns
    /// Σ v²/F, Σ log F, the count, and the state after the last observation.
    func run(_ z: UnsafeBufferPointer<Double>, from state: State) -> (sumSquares: Double, sumLogF: Double, state: State) {
        var a = state.mean, p = state.covariance
        var sumSquares = 0.0, sumLogF = 0.0
        var tp = [Double](repeating: 0, count: r * r)
        var next = [Double](repeating: 0, count: r * r)
        var k = [Double](repeating: 0, count: r)
        var steady = false
        for t in 0..<z.count {
            let f = p[0]
            let v = z[t] - a[0]
            sumSquares += v * v / f
            sumLogF += log(f)
            // K = T P Zᵀ / F (the first column of T P, scaled).
            for i in 0..<r {
                var s = 0.0
                for u in 0..<r { s += transition[i * r + u] * p[u * r] }
                k[i] = s / f
            }
            // a ← T a + K v
            var na = [Double](repeating: 0, count: r)
            for i in 0..<r {
                var s = k[i] * v
                for u in 0..<r { s += transition[i * r + u] * a[u] }
                na[i] = s
            }
            a = na
            if steady { continue }
            // P ← T P Tᵀ + R Rᵀ − K F Kᵀ
            for i in 0..<r { for j in 0..<r {
                var s = 0.0
                for u in 0..<r { s += transition[i * r + u] * p[u * r + j] }
                tp[i * r + j] = s
            } }
            var change = 0.0
            for i in 0..<r { for j in 0..<r {
                var s = disturbance[i * r + j] - k[i] * f * k[j]
                for u in 0..<r { s += tp[i * r + u] * transition[j * r + u] }
                next[i * r + j] = s
                change = max(change, abs(s - p[i * r + j]))
            } }
            swap(&p, &next)
            // Once the covariance has converged, F and K no longer change (statsmodels' steady state).
            if change < 1e-13 { steady = true }
        }
        return (sumSquares, sumLogF, State(mean: a, covariance: p))
    }

    /// Forecasts of the next `steps` values of z from a filter state.
    func forecast(from state: State, steps: Int) -> [Double] {
        var a = state.mean
        var out: [Double] = []
        for _ in 0..<steps {
            out.append(a[0])
            var na = [Double](repeating: 0, count: r)
            for i in 0..<r { for u in 0..<r { na[i] += transition[i * r + u] * a[u] } }
            a = na
        }
        return out
    }
}

/// statsmodels' transformation of unconstrained numbers into the coefficients of a stationary
/// autoregression (Jones 1980, via partial autocorrelations), and back.
enum StationaryTransform {
    static func constrain(_ u: [Double]) -> [Double] {
        let n = u.count
        guard n > 0 else { return [] }
        var y = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        let r = u.map { $0 / (1 + $0 * $0).squareRoot() }
        for k in 0..<n {
            for i in 0..<k { y[k][i] = y[k - 1][i] + r[k] * y[k - 1][k - i - 1] }
            y[k][k] = r[k]
        }
        return y[n - 1].map { -$0 }
    }

    static func unconstrain(_ c: [Double]) -> [Double]? {
        let n = c.count
        guard n > 0 else { return [] }
        var y = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        y[n - 1] = c.map { -$0 }
        for k in stride(from: n - 1, to: 0, by: -1) {
            let d = 1 - y[k][k] * y[k][k]
            guard d > 0 else { return nil }
            for i in 0..<k { y[k - 1][i] = (y[k][i] - y[k][k] * y[k][k - i - 1]) / d }
        }
        var out: [Double] = []
        for k in 0..<n {
            let r = y[k][k]
            guard abs(r) < 1 else { return nil }
            out.append(r / (1 - r * r).squareRoot())
        }
        return out
    }
}
