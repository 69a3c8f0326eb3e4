#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The loss a booster descends, as LightGBM defines it: its starting score, per-row gradients
/// and hessians, the loss reported on validation rows, and how raw scores become predictions.
enum BoostingObjective: Sendable, Equatable {
    /// L2 regression (LightGBM `regression`).
    case squaredError
    /// Two classes, the raw score is the log-odds of class 1 (LightGBM `binary`); the positive
    /// rows' gradients and hessians are scaled by `positiveWeight` (`scale_pos_weight`; the start
    /// stays the unweighted log-odds, as LightGBM's BoostFromScore).
    case binaryLogLoss(positiveWeight: Double = 1)
    /// `classes` classes, one tree per class per iteration, softmax over the raw scores
    /// (LightGBM `multiclass`).
    case softmax(classes: Int)
    /// The alpha-quantile of the target (LightGBM `quantile`): pinball loss, leaf values renewed
    /// to the alpha-quantile of the leaf's residuals after each tree.
    case quantile(alpha: Double)
    /// XGBoost's `reg:squaredlogerror`: ½(log(1 + ŷ) − log(1 + y))².
    case squaredLogError

    /// Trees per iteration, and raw scores per row.
    var outputs: Int {
        if case .softmax(let k) = self { return k }
        return 1
    }

    /// The constant the ensemble starts from (LightGBM's boost_from_average): the mean for L2,
    /// the log-odds of the positive rate, the log of each class's share.
    func initialScores(_ target: [Double]) -> [Double] {
        let n = Double(max(1, target.count))
        switch self {
        case .squaredError:
            return [target.reduce(0, +) / n]
        case .binaryLogLoss:
            let p = min(max(target.reduce(0, +) / n, 1e-15), 1 - 1e-15)
            return [log(p / (1 - p))]
        case .softmax(let k):
            var counts = [Double](repeating: 0, count: k)
            for y in target { counts[Int(y)] += 1 }
            return counts.map { log(max($0 / n, 1e-15)) }
        case .quantile(let alpha):
            var values = target
            return [BoostingObjective.percentile(&values, alpha: alpha)]
        case .squaredLogError:
            return [expm1(target.reduce(0) { $0 + log1p(max($1, -1 + 1e-6)) } / n)]
        }
    }

    /// Whether leaf values are replaced after a tree is grown (LightGBM's RenewTreeOutput).
    var renewsLeaves: Bool { if case .quantile = self { return true } else { return false } }

    /// LightGBM's unweighted PercentileFun: with the values in descending order d and
    /// p = (1 − alpha)·n, the value d[⌊p⌋ − 1] − (d[⌊p⌋ − 1] − d[⌊p⌋])·(p − ⌊p⌋) (the largest below
    /// position 1, the smallest past the end). Reorders `values`.
    static func percentile(_ values: inout [Double], alpha: Double) -> Double {
        let n = values.count
        guard n > 1 else { return values.first ?? 0 }
        let position = Double(Float(1) - Float(alpha)) * Double(n)
        let pos = Int(position)
        values.sort(by: >)
        if pos < 1 { return values[0] }
        if pos >= n { return values[n - 1] }
        let bias = position - Double(pos)
        return values[pos - 1] - (values[pos - 1] - values[pos]) * bias
    }

    /// Writes (gradient, hessian) of `rows` into `out[k]` (one buffer per tree of the iteration).
    func gradients(scores: UnsafePointer<Double>, target: UnsafePointer<Double>, rows: Range<Int>,
                   out: UnsafePointer<UnsafeMutablePointer<SIMD2<Float>>>) {
        switch self {
        case .squaredError:
            let o = out[0]
            for r in rows { o[r] = SIMD2(Float(scores[r] - target[r]), 1) }
        case .binaryLogLoss(let positiveWeight):
            let o = out[0]
            for r in rows {
                let p = 1 / (1 + exp(-scores[r]))
                let w = target[r] == 1 ? positiveWeight : 1
                o[r] = SIMD2(Float(w * (p - target[r])), Float(w * max(p * (1 - p), 1e-16)))
            }
        case .quantile(let alpha):
            let o = out[0]
            let above = Float(1 - alpha), below = Float(-alpha)
            for r in rows { o[r] = SIMD2(scores[r] - target[r] >= 0 ? above : below, 1) }
        case .squaredLogError:
            let o = out[0]
            for r in rows {
                let p = max(scores[r], -1 + 1e-6)
                let d = log1p(p) - log1p(target[r])
                o[r] = SIMD2(Float(d / (p + 1)), Float(max((1 - d) / ((p + 1) * (p + 1)), 1e-6)))
            }
        case .softmax(let k):
            // LightGBM scales the hessian by k / (k - 1) (the diagonal of the softmax Hessian
            // bound), which keeps leaf steps comparable to the binary case.
            let factor = Double(k) / Double(k - 1)
            var p = [Double](repeating: 0, count: k)
            for r in rows {
                let s = scores + r * k
                var top = s[0]
                for j in 1..<k where s[j] > top { top = s[j] }
                var sum = 0.0
                for j in 0..<k { p[j] = exp(s[j] - top); sum += p[j] }
                let label = Int(target[r])
                for j in 0..<k {
                    let pj = p[j] / sum
                    out[j][r] = SIMD2(Float(pj - (j == label ? 1 : 0)), Float(max(factor * pj * (1 - pj), 1e-16)))
                }
            }
        }
    }

    /// Mean loss of raw scores (rows × outputs) against the target: l2, binary_logloss or
    /// multi_logloss, the metrics LightGBM stops early on by default.
    func loss(scores: [Double], target: [Double]) -> Double {
        guard !target.isEmpty else { return 0 }
        var total = 0.0
        switch self {
        case .squaredError:
            for (s, y) in zip(scores, target) { total += (s - y) * (s - y) }
        case .binaryLogLoss:
            for (s, y) in zip(scores, target) {
                let p = min(max(1 / (1 + exp(-s)), 1e-15), 1 - 1e-15)
                total -= y == 1 ? log(p) : log(1 - p)
            }
        case .quantile(let alpha):
            for (s, y) in zip(scores, target) { total += y >= s ? alpha * (y - s) : (1 - alpha) * (s - y) }
        case .squaredLogError:
            for (s, y) in zip(scores, target) { let d = log1p(max(s, -1 + 1e-6)) - log1p(y); total += d * d }
        case .softmax(let k):
            for r in 0..<target.count {
                var top = scores[r * k]
                for j in 1..<k { top = max(top, scores[r * k + j]) }
                var sum = 0.0
                for j in 0..<k { sum += exp(scores[r * k + j] - top) }
                let p = exp(scores[r * k + Int(target[r])] - top) / sum
                total -= log(max(p, 1e-15))
            }
        }
        return total / Double(target.count)
    }

    /// Class probabilities from raw scores, in place of the scores (binary: two columns).
    static func probabilities(_ scores: [Double], rows: Int, classes: Int) -> [Double] {
        if classes == 2 && scores.count == rows {
            var out = [Double](repeating: 0, count: rows * 2)
            for r in 0..<rows {
                let p = 1 / (1 + exp(-scores[r]))
                out[2 * r] = 1 - p
                out[2 * r + 1] = p
            }
            return out
        }
        var out = scores
        for r in 0..<rows {
            var top = -Double.infinity
            for j in 0..<classes { top = max(top, out[r * classes + j]) }
            var sum = 0.0
            for j in 0..<classes { out[r * classes + j] = exp(out[r * classes + j] - top); sum += out[r * classes + j] }
            for j in 0..<classes { out[r * classes + j] /= sum }
        }
        return out
    }
}
