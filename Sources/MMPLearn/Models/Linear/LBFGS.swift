/// Limited-memory BFGS for smooth unconstrained problems, with the stopping rules scikit-learn
/// hands SciPy's L-BFGS-B for logistic regression: stop when the largest gradient component is
/// at most `gradientTolerance` (sklearn's `tol`), when an iteration lowers the objective by less
/// than `functionTolerance` relative to it, or after `maxIterations` iterations.
struct LBFGS {
    var memory = 10
    var maxIterations: Int
    var gradientTolerance: Double
    var functionTolerance = 64 * Double.ulpOfOne
    var maxLineSearchSteps = 50

    struct Result {
        var x: [Double]
        var value: Double
        var iterations: Int
        var evaluations: Int
        var converged: Bool
    }

    /// `evaluate(x, &gradient)` returns f(x) and writes ∇f(x). `checkpoint` runs between
    /// iterations (cancellation, progress as the fraction of `maxIterations` used).
    func minimize(_ start: [Double], evaluate: ([Double], inout [Double]) -> Double,
                  checkpoint: (Double) throws -> Void = { _ in }) rethrows -> Result {
        let n = start.count
        var x = start
        var g = [Double](repeating: 0, count: n)
        var f = evaluate(x, &g)
        var evaluations = 1
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var iterations = 0
        if maxAbs(g) <= gradientTolerance { return Result(x: x, value: f, iterations: 0, evaluations: 1, converged: true) }

        while iterations < maxIterations {
            try checkpoint(Double(iterations) / Double(max(maxIterations, 1)))
            var d = direction(g, s, y, rho)
            var slope = VectorMath.dot(g, d)
            if !(slope < 0) {
                // Not a descent direction (curvature pairs went stale): restart from steepest descent.
                s.removeAll(); y.removeAll(); rho.removeAll()
                d = g.map { -$0 }
                slope = VectorMath.dot(g, d)
            }
            // SciPy's first step is 1/‖g‖ along −g; later steps start at 1.
            let initial = s.isEmpty ? min(1, 1 / VectorMath.dot(g, g).squareRoot()) : 1
            guard let step = lineSearch(x, f, g, d, slope, initial, evaluate, &evaluations) else {
                // No acceptable step: the objective cannot be lowered at this precision.
                return Result(x: x, value: f, iterations: iterations, evaluations: evaluations, converged: maxAbs(g) <= gradientTolerance * 10)
            }
            iterations += 1
            let sk = zip(step.x, x).map { $0 - $1 }
            let yk = zip(step.g, g).map { $0 - $1 }
            let sy = VectorMath.dot(sk, yk)
            if sy > Double.ulpOfOne * VectorMath.dot(yk, yk) {
                if s.count == memory { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
                s.append(sk); y.append(yk); rho.append(1 / sy)
            }
            let previous = f
            x = step.x; g = step.g; f = step.f
            if maxAbs(g) <= gradientTolerance {
                return Result(x: x, value: f, iterations: iterations, evaluations: evaluations, converged: true)
            }
            if (previous - f) / max(abs(previous), abs(f), 1) <= functionTolerance {
                return Result(x: x, value: f, iterations: iterations, evaluations: evaluations, converged: true)
            }
        }
        return Result(x: x, value: f, iterations: iterations, evaluations: evaluations, converged: false)
    }

    /// −H·g by the two-loop recursion, H₀ scaled by sᵀy / yᵀy of the newest pair.
    private func direction(_ g: [Double], _ s: [[Double]], _ y: [[Double]], _ rho: [Double]) -> [Double] {
        var q = g
        var alpha = [Double](repeating: 0, count: s.count)
        for i in stride(from: s.count - 1, through: 0, by: -1) {
            alpha[i] = rho[i] * VectorMath.dot(s[i], q)
            for j in q.indices { q[j] -= alpha[i] * y[i][j] }
        }
        if let last = y.last {
            let gamma = 1 / (rho[rho.count - 1] * VectorMath.dot(last, last))
            for j in q.indices { q[j] *= gamma }
        }
        for i in 0..<s.count {
            let beta = rho[i] * VectorMath.dot(y[i], q)
            for j in q.indices { q[j] += s[i][j] * (alpha[i] - beta) }
        }
        return q.map { -$0 }
    }

    private struct Point { var x: [Double]; var f: Double; var g: [Double]; var slope: Double; var step: Double }

    /// A step satisfying the strong Wolfe conditions (sufficient decrease 1e-3, curvature 0.9,
    /// SciPy's constants), by bracketing and cubic interpolation (Nocedal & Wright, alg. 3.5–3.6).
    private func lineSearch(_ x: [Double], _ f0: Double, _ g0: [Double], _ d: [Double], _ slope0: Double, _ initial: Double,
                            _ evaluate: ([Double], inout [Double]) -> Double, _ evaluations: inout Int) -> (x: [Double], f: Double, g: [Double])? {
        let c1 = 1e-3, c2 = 0.9
        func at(_ t: Double) -> Point {
            var xt = x
            for j in xt.indices { xt[j] += t * d[j] }
            var gt = [Double](repeating: 0, count: x.count)
            let ft = evaluate(xt, &gt)
            evaluations += 1
            return Point(x: xt, f: ft, g: gt, slope: VectorMath.dot(gt, d), step: t)
        }
        let origin = Point(x: x, f: f0, g: g0, slope: slope0, step: 0)
        var previous = origin
        var t = initial
        var calls = 0
        while calls < maxLineSearchSteps {
            let p = at(t)
            calls += 1
            if !p.f.isFinite || p.f > f0 + c1 * t * slope0 || (calls > 1 && p.f >= previous.f) {
                return zoom(previous, p, f0, slope0, c1, c2, at, budget: maxLineSearchSteps - calls)
            }
            if abs(p.slope) <= -c2 * slope0 { return (p.x, p.f, p.g) }
            if p.slope >= 0 { return zoom(p, previous, f0, slope0, c1, c2, at, budget: maxLineSearchSteps - calls) }
            previous = p
            t *= 2.5
        }
        return nil
    }

    private func zoom(_ lo0: Point, _ hi0: Point, _ f0: Double, _ slope0: Double, _ c1: Double, _ c2: Double,
                      _ at: (Double) -> Point, budget: Int) -> (x: [Double], f: Double, g: [Double])? {
        var lo = lo0, hi = hi0
        for _ in 0..<max(budget, 0) {
            let t = interpolate(lo, hi)
            let p = at(t)
            if !p.f.isFinite || p.f > f0 + c1 * t * slope0 || p.f >= lo.f {
                hi = p
            } else {
                if abs(p.slope) <= -c2 * slope0 { return (p.x, p.f, p.g) }
                if p.slope * (hi.step - lo.step) >= 0 { hi = lo }
                lo = p
            }
            if abs(hi.step - lo.step) <= 1e-16 * max(1, abs(lo.step)) { break }
        }
        // Accept the best sufficient-decrease point found, if any lowered the objective.
        return lo.step > 0 && lo.f < f0 ? (lo.x, lo.f, lo.g) : nil
    }

    /// The minimiser of the cubic through two points with slopes, kept inside the middle 80% of
    /// the bracket (bisection when the cubic has no usable minimum).
    private func interpolate(_ a: Point, _ b: Point) -> Double {
        let low = min(a.step, b.step), high = max(a.step, b.step), width = high - low
        let d1 = a.slope + b.slope - 3 * (a.f - b.f) / (a.step - b.step)
        let radicand = d1 * d1 - a.slope * b.slope
        var t = (a.step + b.step) / 2
        if radicand >= 0, b.f.isFinite {
            let d2 = (b.step > a.step ? 1.0 : -1.0) * radicand.squareRoot()
            let candidate = b.step - (b.step - a.step) * (b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2)
            if candidate.isFinite { t = candidate }
        }
        return min(max(t, low + 0.1 * width), high - 0.1 * width)
    }

    private func maxAbs(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
}
