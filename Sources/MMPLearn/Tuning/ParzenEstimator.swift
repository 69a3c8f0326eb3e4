#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// A Parzen (kernel) density over the whole search space, fitted to the points some trials
/// took: a weighted mixture with one kernel per observed point plus a prior kernel spanning
/// the space, as Optuna's (multivariate) TPE builds it. Each kernel is a product of one kernel
/// per dimension, so a draw takes one observed point and perturbs all of its coordinates
/// together, and the density sees which values go together.
///
/// Numeric dimensions work in a transformed space (logarithms for log dimensions) with
/// truncated normal kernels, whose widths come from the gaps between neighbouring observations;
/// integers on a linear scale get discrete kernels (the mass of each integer's unit bucket);
/// categorical dimensions get categorical kernels that put most of their mass on the observed
/// choice.
struct ParzenEstimator {
    let weights: [Double]
    let logWeights: [Double]
    let dimensions: [ParzenDimension]

    /// `points[i][d]` is observation i in dimension d (transformed space, see
    /// `TPESampler.internalValue`), weighted by `pointWeights[i]`; the prior kernel has weight
    /// `priorWeight`.
    init(points: [[Double]], pointWeights: [Double], space: [TransformedDimension], priorWeight: Double) {
        var w = pointWeights + [priorWeight]
        let total = w.reduce(0, +)
        w = w.map { $0 / total }
        weights = w
        logWeights = w.map { log($0) }
        dimensions = space.enumerated().map { d, s in
            ParzenDimension(observations: points.map { $0[d] }, space: s, priorWeight: priorWeight)
        }
    }

    /// One draw: a kernel by weight, then each coordinate from that kernel.
    func sample(_ g: inout SeededGenerator) -> [Double] {
        let k = ParzenDimension.pick(weights, &g)
        return dimensions.map { $0.sample(kernel: k, &g) }
    }

    /// log density of the mixture at a point (probabilities for discrete coordinates).
    func logDensity(_ x: [Double]) -> Double {
        var terms = logWeights
        for (d, dimension) in dimensions.enumerated() {
            for k in terms.indices { terms[k] += dimension.logKernel(k, at: x[d]) }
        }
        return ParzenDimension.logSumExp(terms)
    }
}

/// One dimension's kernels: one per observation, then the prior.
struct ParzenDimension {
    enum Kernels {
        /// Truncated normals on [low, high]; `discrete` evaluates the mass of [x − ½, x + ½].
        case numeric(mus: [Double], sigmas: [Double], logMasses: [Double], low: Double, high: Double, discrete: Bool)
        /// kernels × choices log probabilities.
        case categorical(logProbabilities: [[Double]])
    }

    let kernels: Kernels

    init(observations: [Double], space: TransformedDimension, priorWeight: Double) {
        switch space {
        case .numeric(let low, let high, let discrete):
            // A discrete dimension's buckets reach half a step past each end.
            let lo = discrete ? low - 0.5 : low, hi = discrete ? high + 0.5 : high
            let n = observations.count
            var sigmas = [Double](repeating: hi - lo, count: n)
            if n > 0 {
                let order = observations.indices.sorted { (observations[$0], $0) < (observations[$1], $1) }
                let sorted = order.map { observations[$0] }
                let padded = [lo] + sorted + [hi]
                for (rank, i) in order.enumerated() {
                    // The larger gap to a neighbour; with consider_endpoints=False (Optuna's
                    // default) the outermost points use their only inner neighbour.
                    var s = max(padded[rank + 1] - padded[rank], padded[rank + 2] - padded[rank + 1])
                    if n >= 2 && rank == 0 { s = sorted[1] - sorted[0] }
                    if n >= 2 && rank == n - 1 { s = sorted[n - 1] - sorted[n - 2] }
                    sigmas[i] = s
                }
            }
            // Optuna's "magic clip": no kernel narrower than range / (1 + kernels), nor than range / 100.
            // (A range of one point still gets a positive width, so densities stay finite.)
            let maxSigma = max(hi - lo, 1e-12), minSigma = maxSigma / min(100, Double(n + 2))
            sigmas = sigmas.map { min(max($0, minSigma), maxSigma) } + [maxSigma]
            let mus = observations + [(lo + hi) / 2]
            let logMasses = zip(mus, sigmas).map { mu, sigma in
                log(max(Self.cdf((hi - mu) / sigma) - Self.cdf((lo - mu) / sigma), .leastNormalMagnitude))
            }
            kernels = .numeric(mus: mus, sigmas: sigmas, logMasses: logMasses, low: lo, high: hi, discrete: discrete)
        case .categorical(let count):
            let fill = priorWeight / Double(observations.count + 1)
            var rows: [[Double]] = observations.map { observed in
                var row = [Double](repeating: fill, count: count)
                row[Int(observed)] += 1
                let s = row.reduce(0, +)
                return row.map { log($0 / s) }
            }
            rows.append([Double](repeating: -log(Double(count)), count: count))
            kernels = .categorical(logProbabilities: rows)
        }
    }

    func sample(kernel k: Int, _ g: inout SeededGenerator) -> Double {
        switch kernels {
        case .numeric(let mus, let sigmas, _, let low, let high, let discrete):
            let x = Self.truncatedNormal(mu: mus[k], sigma: sigmas[k], low: low, high: high, &g)
            return discrete ? min(high - 0.5, max(low + 0.5, x.rounded())) : x
        case .categorical(let logProbabilities):
            return Double(Self.pick(logProbabilities[k].map { exp($0) }, &g))
        }
    }

    /// log density (log probability, for discrete kernels) of kernel `k` at `x`.
    @inline(__always) func logKernel(_ k: Int, at x: Double) -> Double {
        switch kernels {
        case .numeric(let mus, let sigmas, let logMasses, _, _, let discrete):
            let mu = mus[k], sigma = sigmas[k]
            if discrete {
                let bucket = Self.cdf((x + 0.5 - mu) / sigma) - Self.cdf((x - 0.5 - mu) / sigma)
                return log(max(bucket, .leastNormalMagnitude)) - logMasses[k]
            }
            let z = (x - mu) / sigma
            return -0.5 * z * z - log(sigma) - 0.5 * log(2 * Double.pi) - logMasses[k]
        case .categorical(let logProbabilities):
            return logProbabilities[k][Int(x)]
        }
    }

    static func cdf(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    static func logSumExp(_ terms: [Double]) -> Double {
        guard let top = terms.max(), top.isFinite else { return terms.max() ?? -.infinity }
        return top + log(terms.reduce(0) { $0 + exp($1 - top) })
    }

    /// An index drawn with probability proportional to `weights`.
    static func pick(_ weights: [Double], _ g: inout SeededGenerator) -> Int {
        let total = weights.reduce(0, +)
        var u = g.unit() * total
        for (i, w) in weights.enumerated() {
            if u < w { return i }
            u -= w
        }
        return weights.count - 1
    }

    /// A normal draw (Box–Muller) kept inside [low, high] by rejection. A kernel's centre lies
    /// in the range and its width is at most the range's, so at least a third of draws land
    /// inside; after 100 misses a uniform draw stands in.
    static func truncatedNormal(mu: Double, sigma: Double, low: Double, high: Double, _ g: inout SeededGenerator) -> Double {
        for _ in 0..<100 {
            let u1 = max(g.unit(), .leastNormalMagnitude), u2 = g.unit()
            let x = mu + sigma * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            if x >= low && x <= high { return x }
        }
        return low + g.unit() * (high - low)
    }
}

/// A search dimension as the Parzen estimators see it.
enum TransformedDimension {
    /// Bounds in the transformed space; `discrete` for integers on a linear scale.
    case numeric(low: Double, high: Double, discrete: Bool)
    case categorical(count: Int)
}
