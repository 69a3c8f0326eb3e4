/// Limited-memory BFGS with box constraints (lower ≤ x ≤ upper, either side may be infinite), in
/// the projected active-set form: variables held at a bound by their gradient are frozen for the
/// iteration, the quasi-Newton direction moves the others, and the step is projected back into
/// the box. Small problems only (the smoothing and ARMA parameters of one series).
struct BoundedLBFGS {
    var memory = 10
    var maxIterations = 1000
    /// Stop when no free gradient component exceeds this (after scaling by max(1, |f|)).
    var gradientTolerance = 1e-10
    /// Stop when an iteration lowers f by less than this, relative to |f|.
    var functionTolerance = 1e-15

    struct Result {
        var x: [Double]
        var value: Double
        var iterations: Int
        var converged: Bool
    }

    func minimize(_ start: [Double], lower: [Double], upper: [Double],
                  evaluate: ([Double], inout [Double]) -> Double) -> Result {
        let n = start.count
        var x = (0..<n).map { min(max(start[$0], lower[$0]), upper[$0]) }
        var g = [Double](repeating: 0, count: n)
        var f = evaluate(x, &g)
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var stalls = 0
        for iteration in 0..<maxIterations {
            let free = (0..<n).map { i in !((x[i] <= lower[i] && g[i] > 0) || (x[i] >= upper[i] && g[i] < 0)) }
            var largest = 0.0
            for i in 0..<n where free[i] { largest = max(largest, abs(g[i])) }
            if !f.isFinite { return Result(x: x, value: f, iterations: iteration, converged: false) }
            if largest <= gradientTolerance * max(1, abs(f)) { return Result(x: x, value: f, iterations: iteration, converged: true) }

            var d = twoLoop(g, free: free, s, y, rho)
            var slope = zip(g, d).reduce(0) { $0 + $1.0 * $1.1 }
            if !(slope < 0) {
                s.removeAll(); y.removeAll(); rho.removeAll()
                d = (0..<n).map { free[$0] ? -g[$0] : 0 }
                slope = zip(g, d).reduce(0) { $0 + $1.0 * $1.1 }
            }
            // Longest step that keeps every free variable inside its box, then backtrack.
            var t = s.isEmpty ? min(1, 1 / d.reduce(0) { $0 + $1 * $1 }.squareRoot()) : 1.0
            var accepted: (x: [Double], f: Double, g: [Double])?
            for _ in 0..<60 {
                var candidate = x
                for i in 0..<n where d[i] != 0 { candidate[i] = min(max(x[i] + t * d[i], lower[i]), upper[i]) }
                var gc = [Double](repeating: 0, count: n)
                let fc = evaluate(candidate, &gc)
                let decrease = zip(g, zip(candidate, x)).reduce(0) { $0 + $1.0 * ($1.1.0 - $1.1.1) }
                if fc.isFinite && fc <= f + 1e-4 * decrease {
                    accepted = (candidate, fc, gc)
                    break
                }
                t *= 0.5
            }
            guard let step = accepted else { return Result(x: x, value: f, iterations: iteration, converged: false) }
            let sk = zip(step.x, x).map { $0 - $1 }
            let yk = zip(step.g, g).map { $0 - $1 }
            let sy = zip(sk, yk).reduce(0) { $0 + $1.0 * $1.1 }
            let yy = yk.reduce(0) { $0 + $1 * $1 }
            if sy > 1e-12 * yy {
                if s.count == memory { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
                s.append(sk); y.append(yk); rho.append(1 / sy)
            }
            let previous = f
            x = step.x; f = step.f; g = step.g
            if previous - f <= functionTolerance * max(abs(f), 1e-300) {
                stalls += 1
                if stalls >= 3 { return Result(x: x, value: f, iterations: iteration + 1, converged: true) }
            } else {
                stalls = 0
            }
        }
        return Result(x: x, value: f, iterations: maxIterations, converged: false)
    }

    /// The L-BFGS direction −H·g over the free variables (frozen ones stay 0).
    private func twoLoop(_ g: [Double], free: [Bool], _ s: [[Double]], _ y: [[Double]], _ rho: [Double]) -> [Double] {
        let n = g.count
        var q = (0..<n).map { free[$0] ? g[$0] : 0 }
        func dot(_ a: [Double], _ b: [Double]) -> Double {
            var total = 0.0
            for i in 0..<n where free[i] { total += a[i] * b[i] }
            return total
        }
        var alphas = [Double](repeating: 0, count: s.count)
        for k in stride(from: s.count - 1, through: 0, by: -1) {
            alphas[k] = rho[k] * dot(s[k], q)
            for i in 0..<n where free[i] { q[i] -= alphas[k] * y[k][i] }
        }
        if let sl = s.last, let yl = y.last {
            let yy = dot(yl, yl), sy = dot(sl, yl)
            if yy > 0, sy > 0 { for i in 0..<n { q[i] *= sy / yy } }
        }
        for k in 0..<s.count {
            let beta = rho[k] * dot(y[k], q)
            for i in 0..<n where free[i] { q[i] += s[k][i] * (alphas[k] - beta) }
        }
        return q.map { -$0 }
    }

    /// Central-difference gradient of `f` at `x`, stepping inside the box.
    static func numericalGradient(_ x: [Double], lower: [Double], upper: [Double], into g: inout [Double],
                                  _ f: ([Double]) -> Double) {
        var probe = x
        for i in 0..<x.count {
            let h = 1e-6 * max(1, abs(x[i]))
            let up = min(x[i] + h, upper[i]), down = max(x[i] - h, lower[i])
            probe[i] = up
            let fu = f(probe)
            probe[i] = down
            let fd = f(probe)
            probe[i] = x[i]
            g[i] = up > down ? (fu - fd) / (up - down) : 0
        }
    }
}
