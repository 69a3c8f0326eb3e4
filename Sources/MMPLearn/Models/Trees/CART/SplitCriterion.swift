#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// How a CART tree measures a node's impurity, over node statistics kept as a short vector:
/// weighted class counts for classification, (weight, Σ w·y, Σ w·y²) for regression.
enum SplitCriterion: String, Sendable {
    case gini
    case entropy
    case squaredError = "squared_error"

    var isClassification: Bool { self != .squaredError }

    /// Length of the statistics vector for `classes` classes.
    func statCount(classes: Int) -> Int { isClassification ? classes : 3 }

    /// Total weight of a statistics vector.
    @inline(__always)
    func weight(_ s: UnsafePointer<Double>, _ count: Int) -> Double {
        if !isClassification { return s[0] }
        var w = 0.0
        for k in 0..<count { w += s[k] }
        return w
    }

    /// The node's impurity as scikit-learn reports it (gini, entropy in bits, variance).
    func impurity(_ s: UnsafePointer<Double>, _ count: Int) -> Double {
        let w = weight(s, count)
        guard w > 0 else { return 0 }
        switch self {
        case .gini:
            var sq = 0.0
            for k in 0..<count { sq += s[k] * s[k] }
            return 1 - sq / (w * w)
        case .entropy:
            var e = 0.0
            for k in 0..<count where s[k] > 0 { let p = s[k] / w; e -= p * log2(p) }
            return e
        case .squaredError:
            let mean = s[1] / w
            return max(0, s[2] / w - mean * mean)
        }
    }

    /// A quantity that orders candidate splits as weighted child impurity does (lower is
    /// better) but is cheaper and cancels less: scikit-learn's "proxy impurity improvement".
    @inline(__always)
    func splitProxy(left l: UnsafePointer<Double>, right r: UnsafePointer<Double>, _ count: Int) -> Double {
        switch self {
        case .gini:
            var sl = 0.0, sr = 0.0, wl = 0.0, wr = 0.0
            for k in 0..<count {
                sl += l[k] * l[k]; wl += l[k]
                sr += r[k] * r[k]; wr += r[k]
            }
            return -(sl / wl + sr / wr)
        case .entropy:
            // Σ over children of w·H = w log w - Σ c log c (natural log; the base only scales).
            var wl = 0.0, wr = 0.0, cl = 0.0, cr = 0.0
            for k in 0..<count {
                wl += l[k]; wr += r[k]
                if l[k] > 0 { cl += l[k] * log(l[k]) }
                if r[k] > 0 { cr += r[k] * log(r[k]) }
            }
            return (wl * log(wl) - cl) + (wr * log(wr) - cr)
        case .squaredError:
            return -(l[1] * l[1] / l[0] + r[1] * r[1] / r[0])
        }
    }

    /// A leaf's prediction: class shares, or the mean.
    func leafValues(_ s: UnsafePointer<Double>, _ count: Int) -> [Double] {
        let w = weight(s, count)
        if isClassification { return (0..<count).map { w > 0 ? s[$0] / w : 1 / Double(count) } }
        return [w > 0 ? s[1] / w : 0]
    }

    /// Adds one row (class index or value, with weight) to a statistics vector.
    @inline(__always)
    func add(_ s: UnsafeMutablePointer<Double>, target y: Double, weight w: Double) {
        if isClassification {
            s[Int(y)] += w
        } else {
            s[0] += w; s[1] += w * y; s[2] += w * y * y
        }
    }
}

/// Settings shared by the CART builders (scikit-learn's names).
struct CARTSettings: Sendable {
    var criterion: SplitCriterion
    var maxDepth: Int                 // Int.max: unlimited
    var minSamplesSplit: Int
    var minSamplesLeaf: Int
    /// Features to draw per node (all of them: every feature, in order).
    var maxFeatures: Int
    var minImpurityDecrease: Double
    /// `max_leaf_nodes`: grow best-first up to this many leaves (Int.max: depth-first, no cap).
    var maxLeafNodes: Int = Int.max
}

/// The recipe's forms of `max_features`, `min_samples_split` and `min_samples_leaf`.
enum CARTParameters {
    /// `sqrt`, `log2`, null/`all` (every feature), a count, or a share of the features.
    static func maxFeatures(_ value: JSON?, features: Int) -> Int {
        guard let value, !value.isNull else { return features }
        switch value {
        case .int(let k): return max(1, min(k, features))
        case .double(let f): return max(1, min(features, Int(f * Double(features))))
        case .string(let s):
            switch s {
            case "sqrt", "auto": return max(1, Int(Double(features).squareRoot()))
            case "log2": return max(1, Int(log2(Double(features))))
            default: return features
            }
        default: return features
        }
    }

    /// A count, or a share of the rows (rounded up), as scikit-learn reads these.
    static func count(_ value: JSON?, rows: Int, minimum: Int) -> Int {
        switch value {
        case .int(let k)?: return max(minimum, k)
        case .double(let f)?: return max(minimum, Int((f * Double(rows)).rounded(.up)))
        default: return minimum
        }
    }
}
