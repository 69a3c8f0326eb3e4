#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small logistic regression (a few features and an intercept) solved to its optimum by
/// Newton's method with step halving: Σ log-loss + |w|² / (2C), the intercept unpenalised, as
/// scikit-learn's LogisticRegression with a very large C.
enum LogisticFit {
    static func fit(_ x: [[Double]], _ positive: [Bool], c: Double = 99_999_999_999) -> (coefficients: [Double], intercept: Double) {
        let n = x.count, p = (x.first?.count ?? 0) + 1
        guard n > 0 else { return ([Double](repeating: 0, count: p - 1), 0) }
        let rows = x.map { $0 + [1.0] }
        let y = positive.map { $0 ? 1.0 : 0.0 }
        var theta = [Double](repeating: 0, count: p)
        func loss(_ t: [Double]) -> Double {
            var total = 0.0
            for i in 0..<n {
                var z = 0.0
                for j in 0..<p { z += rows[i][j] * t[j] }
                // log(1 + e^z) - y z, stably.
                total += (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) - y[i] * z
            }
            for j in 0..<(p - 1) { total += t[j] * t[j] / (2 * c) }
            return total
        }
        var current = loss(theta)
        for _ in 0..<100 {
            var g = [Double](repeating: 0, count: p), h = [Double](repeating: 0, count: p * p)
            for i in 0..<n {
                var z = 0.0
                for j in 0..<p { z += rows[i][j] * theta[j] }
                let q = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
                let w = q * (1 - q)
                for j in 0..<p {
                    g[j] += (q - y[i]) * rows[i][j]
                    for k in 0..<p { h[j * p + k] += w * rows[i][j] * rows[i][k] }
                }
            }
            for j in 0..<(p - 1) { g[j] += theta[j] / c; h[j * p + j] += 1 / c }
            guard var step = solve(h, g, p) else { break }
            var scale = 1.0, next = theta.indices.map { theta[$0] - step[$0] }, nextLoss = loss(next)
            while nextLoss > current, scale > 1e-10 {
                scale /= 2
                step = step.map { $0 / 2 }
                next = theta.indices.map { theta[$0] - step[$0] }
                nextLoss = loss(next)
            }
            if nextLoss > current { break }
            let moved = step.reduce(0) { $0 + abs($1) }
            theta = next
            let improvement = current - nextLoss
            current = nextLoss
            if moved < 1e-12 || improvement <= 1e-15 * max(1, abs(current)) { break }
        }
        return (Array(theta[0..<(p - 1)]), theta[p - 1])
    }

    /// Solves H s = g by Gaussian elimination with partial pivoting (H is p × p, p ≤ 3 here).
    private static func solve(_ h: [Double], _ g: [Double], _ p: Int) -> [Double]? {
        var a = h, b = g
        for col in 0..<p {
            var pivot = col
            for r in (col + 1)..<max(col + 1, p) where abs(a[r * p + col]) > abs(a[pivot * p + col]) { pivot = r }
            guard abs(a[pivot * p + col]) > 1e-300 else { return nil }
            if pivot != col {
                for k in 0..<p { a.swapAt(col * p + k, pivot * p + k) }
                b.swapAt(col, pivot)
            }
            for r in (col + 1)..<max(col + 1, p) {
                let f = a[r * p + col] / a[col * p + col]
                for k in col..<p { a[r * p + k] -= f * a[col * p + k] }
                b[r] -= f * b[col]
            }
        }
        var s = [Double](repeating: 0, count: p)
        for r in stride(from: p - 1, through: 0, by: -1) {
            var v = b[r]
            for k in (r + 1)..<max(r + 1, p) { v -= a[r * p + k] * s[k] }
            s[r] = v / a[r * p + r]
        }
        return s
    }
}
