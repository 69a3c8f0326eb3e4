import MMPCore

/// The dual problem libsvm solves for C-SVC and ε-SVR:
///
///     minimise ½ αᵀQα + pᵀα  subject to  yᵀα = 0,  0 ≤ α_t ≤ upper_t,
///
/// with Q_st = y_s y_t K(x_o(s), x_o(t)). Variables come in blocks of one per training row
/// (one block for classification, two for ε-SVR: α and α*), so variable t reads row t mod n.
struct SMOProblem {
    var y: [Double]       // ±1 per variable
    var p: [Double]       // linear term per variable
    var upper: [Double]   // box bound per variable
}

struct SMOSolution {
    var alpha: [Double]
    var rho: Double
    var iterations: Int
    var converged: Bool
}

/// Sequential minimal optimisation as in libsvm's `Solver` (Fan, Chen and Lin 2005): each
/// iteration picks the maximal-violating variable i and, among the rest, the j that most
/// decreases the objective by a second-order estimate, solves the two-variable problem in
/// closed form and updates the gradient with two kernel columns. It stops when the largest
/// KKT violation (Gmax + Gmax2) falls below `tolerance`, libsvm's eps. Shrinking is not done:
/// the gradient update and the selection are SIMD-friendly passes over all variables.
enum SMOSolver {
    /// libsvm's TAU: the curvature used when a pair's is not positive.
    static let tau = 1e-12

    static func solve(_ problem: SMOProblem, columns: KernelColumns, tolerance: Double, maxIterations: Int?,
                      context: FitContext) throws -> SMOSolution {
        let count = problem.y.count
        let n = columns.data.rows
        precondition(n > 0 && count % n == 0)
        let blocks = count / n
        var alpha = [Double](repeating: 0, count: count)
        var gradient = problem.p
        let limit = maxIterations ?? max(10_000_000, count > Int.max / 100 ? Int.max : 100 * count)
        let diagonal = columns.diagonal
        var iterations = 0
        var converged = false

        try diagonal.withUnsafeBufferPointer { qb in
        let qd = qb.baseAddress!
        try problem.y.withUnsafeBufferPointer { yb in
            try problem.upper.withUnsafeBufferPointer { cb in
                try alpha.withUnsafeMutableBufferPointer { ab in
                    try gradient.withUnsafeMutableBufferPointer { gb in
                        let y = yb.baseAddress!, c = cb.baseAddress!, a = ab.baseAddress!, g = gb.baseAddress!
                        var (i, gmax) = selectFirst(y: y, alpha: a, upper: c, gradient: g, count: count)
                        while iterations < limit {
                            if iterations % 1024 == 0 { try context.checkCancelled() }
                            guard i >= 0 else { converged = true; break }
                            // Second variable, using column i.
                            let ki = columns.column(i % n)
                            let oi = i % n
                            var gmax2 = -Double.infinity
                            var j = -1
                            var best = Double.infinity
                            for b in 0..<blocks {
                                let base = b * n
                                for k in 0..<n {
                                    let t = base + k
                                    let kit = Double(ki[k])
                                    if y[t] > 0 {
                                        if a[t] > 0 {
                                            let gt = g[t]
                                            if gt >= gmax2 { gmax2 = gt }
                                            let diff = gmax + gt
                                            if diff > 0 {
                                                let quad = qd[oi] + qd[k] - 2 * kit
                                                let obj = -(diff * diff) / (quad > 0 ? quad : tau)
                                                if obj <= best { j = t; best = obj }
                                            }
                                        }
                                    } else if a[t] < c[t] {
                                        let gt = g[t]
                                        if -gt >= gmax2 { gmax2 = -gt }
                                        let diff = gmax - gt
                                        if diff > 0 {
                                            let quad = qd[oi] + qd[k] - 2 * kit
                                            let obj = -(diff * diff) / (quad > 0 ? quad : tau)
                                            if obj <= best { j = t; best = obj }
                                        }
                                    }
                                }
                            }
                            if gmax + gmax2 < tolerance || j < 0 { converged = true; break }
                            iterations += 1

                            // The two-variable subproblem, as libsvm.
                            let oj = j % n
                            let kj = columns.column(oj)
                            let ki2 = columns.column(oi)  // still cached: only j was added
                            let kij = Double(ki2[oj])
                            let ci = c[i], cj = c[j]
                            let oldI = a[i], oldJ = a[j]
                            var ai = oldI, aj = oldJ
                            var quad = qd[oi] + qd[oj] - 2 * kij
                            if quad <= 0 { quad = tau }
                            if y[i] != y[j] {
                                let delta = (-g[i] - g[j]) / quad
                                let diff = ai - aj
                                ai += delta; aj += delta
                                if diff > 0 {
                                    if aj < 0 { aj = 0; ai = diff }
                                } else if ai < 0 { ai = 0; aj = -diff }
                                if diff > ci - cj {
                                    if ai > ci { ai = ci; aj = ci - diff }
                                } else if aj > cj { aj = cj; ai = cj + diff }
                            } else {
                                let delta = (g[i] - g[j]) / quad
                                let sum = ai + aj
                                ai -= delta; aj += delta
                                if sum > ci {
                                    if ai > ci { ai = ci; aj = sum - ci }
                                } else if aj < 0 { aj = 0; ai = sum }
                                if sum > cj {
                                    if aj > cj { aj = cj; ai = sum - cj }
                                } else if ai < 0 { ai = 0; aj = sum }
                            }
                            a[i] = ai; a[j] = aj
                            // G_t += y_t (y_i Δα_i K_it + y_j Δα_j K_jt), and the next i in the same pass.
                            let si = y[i] * (ai - oldI), sj = y[j] * (aj - oldJ)
                            var nextI = -1
                            var nextMax = -Double.infinity
                            for b in 0..<blocks {
                                let base = b * n
                                for k in 0..<n {
                                    let t = base + k
                                    let yt = y[t]
                                    let gt = g[t] + yt * (si * Double(ki2[k]) + sj * Double(kj[k]))
                                    g[t] = gt
                                    if yt > 0 {
                                        if a[t] < c[t], -gt >= nextMax { nextMax = -gt; nextI = t }
                                    } else if a[t] > 0, gt >= nextMax { nextMax = gt; nextI = t }
                                }
                            }
                            i = nextI
                            gmax = nextMax
                            if iterations % 4096 == 0 { context.progress(min(0.99, Double(iterations) / Double(max(1, 50 * count)))) }
                        }
                    }
                }
            }
        }
        }
        return SMOSolution(alpha: alpha, rho: rho(y: problem.y, alpha: alpha, upper: problem.upper, gradient: gradient),
                           iterations: iterations, converged: converged)
    }

    /// The maximal violator i = argmax over I_up of -y_t G_t (libsvm's Gmax), or -1.
    private static func selectFirst(y: UnsafePointer<Double>, alpha a: UnsafePointer<Double>, upper c: UnsafePointer<Double>,
                                    gradient g: UnsafePointer<Double>, count: Int) -> (Int, Double) {
        var index = -1, best = -Double.infinity
        for t in 0..<count {
            if y[t] > 0 {
                if a[t] < c[t], -g[t] >= best { best = -g[t]; index = t }
            } else if a[t] > 0, g[t] >= best { best = g[t]; index = t }
        }
        return (index, best)
    }

    /// The offset ρ: the mean of y_t G_t over free variables, else the middle of the feasible
    /// interval (libsvm's calculate_rho).
    static func rho(y: [Double], alpha: [Double], upper: [Double], gradient: [Double]) -> Double {
        var ub = Double.infinity, lb = -Double.infinity, free = 0, sum = 0.0
        for t in y.indices {
            let yg = y[t] * gradient[t]
            if alpha[t] >= upper[t] {
                if y[t] < 0 { ub = min(ub, yg) } else { lb = max(lb, yg) }
            } else if alpha[t] <= 0 {
                if y[t] > 0 { ub = min(ub, yg) } else { lb = max(lb, yg) }
            } else {
                free += 1
                sum += yg
            }
        }
        return free > 0 ? sum / Double(free) : (ub + lb) / 2
    }
}
