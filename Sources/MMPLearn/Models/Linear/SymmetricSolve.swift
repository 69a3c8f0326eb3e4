/// Small dense symmetric solvers for the normal equations.
enum SymmetricSolve {
    /// Solves A·x = b by Cholesky; nil when A is not numerically positive definite (a pivot
    /// below 1e-10 of the largest diagonal entry).
    static func cholesky(_ a: [Double], _ b: [Double], _ d: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: d * d)
        let scale = (0..<d).map { a[$0 * d + $0] }.max() ?? 0
        for i in 0..<d {
            for j in 0...i {
                var s = a[i * d + j]
                for k in 0..<j { s -= l[i * d + k] * l[j * d + k] }
                if i == j {
                    guard s > 1e-10 * scale, s > 0 else { return nil }
                    l[i * d + i] = s.squareRoot()
                } else {
                    l[i * d + j] = s / l[j * d + j]
                }
            }
        }
        var z = b
        for i in 0..<d { for k in 0..<i { z[i] -= l[i * d + k] * z[k] }; z[i] /= l[i * d + i] }
        for i in stride(from: d - 1, through: 0, by: -1) { for k in (i + 1)..<d { z[i] -= l[k * d + i] * z[k] }; z[i] /= l[i * d + i] }
        return z
    }

    /// The minimum-norm least-squares solution of A·x = b for symmetric positive semi-definite A
    /// (the pseudo-inverse, through a Jacobi eigendecomposition; eigenvalues below 1e-12 of the
    /// largest count as zero). This is what `lstsq` returns for collinear features, such as every
    /// level of a one-hot encoded column beside an intercept.
    static func pseudoInverse(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
        var m = a
        var v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<d { for q in (p + 1)..<max(d, p + 1) { off += m[p * d + q] * m[p * d + q] } }
            if off < 1e-30 { break }
            for p in 0..<d {
                for q in (p + 1)..<max(d, p + 1) where m[p * d + q] != 0 {
                    let theta = (m[q * d + q] - m[p * d + p]) / (2 * m[p * d + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<d {
                        let mkp = m[k * d + p], mkq = m[k * d + q]
                        m[k * d + p] = c * mkp - s * mkq
                        m[k * d + q] = s * mkp + c * mkq
                    }
                    for k in 0..<d {
                        let mpk = m[p * d + k], mqk = m[q * d + k]
                        m[p * d + k] = c * mpk - s * mqk
                        m[q * d + k] = s * mpk + c * mqk
                    }
                    for k in 0..<d {
                        let vkp = v[k * d + p], vkq = v[k * d + q]
                        v[k * d + p] = c * vkp - s * vkq
                        v[k * d + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let eigen = (0..<d).map { m[$0 * d + $0] }
        let cutoff = (eigen.max() ?? 0) * 1e-12
        var x = [Double](repeating: 0, count: d)
        for e in 0..<d where eigen[e] > cutoff {
            var proj = 0.0
            for k in 0..<d { proj += v[k * d + e] * b[k] }
            proj /= eigen[e]
            for k in 0..<d { x[k] += proj * v[k * d + e] }
        }
        return x
    }
}
