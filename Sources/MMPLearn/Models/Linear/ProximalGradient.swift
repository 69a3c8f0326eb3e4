#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Accelerated proximal gradient (FISTA with backtracking, Beck & Teboulle 2009) for a smooth
/// objective plus λ‖w‖₁ on the coefficients: logistic regression with `penalty: l1` or
/// `elasticnet`, the objective scikit-learn's saga and liblinear solvers minimise. The smooth
/// part (log-loss and any L2 share) comes from `LogisticObjective`; intercepts are not penalised.
struct ProximalGradient {
    /// λ: the L1 weight, per parameter (0 for intercepts).
    var l1: [Double]
    var maxIterations: Int
    /// Stop when the largest coefficient change is below tol × the largest coefficient
    /// (scikit-learn saga's rule).
    var tolerance: Double

    struct Result {
        var x: [Double]
        var value: Double
        var iterations: Int
        var converged: Bool
    }

    func minimize(_ start: [Double], evaluate: ([Double], inout [Double]) -> Double,
                  checkpoint: (Double) throws -> Void) rethrows -> Result {
        let n = start.count
        var x = start, y = start
        var gy = [Double](repeating: 0, count: n), gNew = [Double](repeating: 0, count: n)
        var candidate = [Double](repeating: 0, count: n)
        var step = 1.0, t = 1.0
        var iterations = 0, converged = false
        var value = evaluate(x, &gNew) + penalty(x)
        while iterations < maxIterations {
            iterations += 1
            let fy = evaluate(y, &gy)
            // Backtracking: shrink the step until the quadratic model bounds f at the candidate.
            var fCandidate = 0.0
            while true {
                for j in 0..<n {
                    let v = y[j] - step * gy[j]
                    let cut = step * l1[j]
                    candidate[j] = v > cut ? v - cut : (v < -cut ? v + cut : 0)
                }
                fCandidate = evaluate(candidate, &gNew)
                var bound = fy
                for j in 0..<n {
                    let d = candidate[j] - y[j]
                    bound += gy[j] * d + d * d / (2 * step)
                }
                if fCandidate <= bound + 1e-12 * abs(bound) || step < 1e-20 { break }
                step *= 0.5
            }
            var change = 0.0, size = 0.0
            for j in 0..<n { change = max(change, abs(candidate[j] - x[j])); size = max(size, abs(candidate[j])) }
            let newValue = fCandidate + penalty(candidate)
            // Momentum restarts when the objective goes up (O'Donoghue & Candès), keeping descent.
            let tNext = newValue > value ? 1.0 : (1 + (1 + 4 * t * t).squareRoot()) / 2
            let momentum = newValue > value ? 0.0 : (t - 1) / tNext
            for j in 0..<n { y[j] = candidate[j] + momentum * (candidate[j] - x[j]) }
            x = candidate
            t = tNext
            value = newValue
            // A few larger steps again: the local curvature may have dropped.
            step *= 1.25
            try checkpoint(Double(iterations) / Double(maxIterations))
            if change <= tolerance * max(size, 1e-12) { converged = true; break }
        }
        return Result(x: x, value: value, iterations: iterations, converged: converged)
    }

    private func penalty(_ x: [Double]) -> Double {
        var total = 0.0
        for j in 0..<x.count { total += l1[j] * abs(x[j]) }
        return total
    }
}
