#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// A Minkowski-family distance, named as scikit-learn's neighbors name them.
///
/// Searches compare the cheaper *reduced* distance (squared for euclidean, Σ|d|^p for
/// Minkowski, as scikit-learn's `rdist`) and convert only the k distances they return.
enum DistanceMetric: Sendable, Equatable {
    case euclidean
    case manhattan
    case chebyshev
    case minkowski(Double)

    /// scikit-learn's resolution: `minkowski` with p = 2 is euclidean, with p = 1 manhattan.
    static func named(_ metric: String, p: Double) throws -> DistanceMetric {
        switch metric.lowercased() {
        case "euclidean", "l2": return .euclidean
        case "manhattan", "cityblock", "l1": return .manhattan
        case "chebyshev", "infinity": return .chebyshev
        case "minkowski":
            guard p >= 1, p.isFinite else { throw MMPError(.invalidRecipe, "p must be at least 1 for the minkowski metric, found \(JSON.format(p))") }
            if p == 2 { return .euclidean }
            if p == 1 { return .manhattan }
            return .minkowski(p)
        default:
            throw MMPError(.invalidRecipe, "unknown metric '\(metric)' (expected euclidean, manhattan, chebyshev or minkowski)")
        }
    }

    var name: String {
        switch self {
        case .euclidean: return "euclidean"
        case .manhattan: return "manhattan"
        case .chebyshev: return "chebyshev"
        case .minkowski: return "minkowski"
        }
    }

    var p: Double {
        switch self {
        case .euclidean: return 2
        case .manhattan: return 1
        case .chebyshev: return .infinity
        case .minkowski(let p): return p
        }
    }

    /// The true distance from a reduced one.
    @inline(__always) func distance(fromReduced r: Double) -> Double {
        switch self {
        case .euclidean: return r.squareRoot()
        case .manhattan, .chebyshev: return r
        case .minkowski(let p): return pow(r, 1 / p)
        }
    }

    /// Reduced distance between two rows of `features` values.
    @inline(__always) func reduced(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, features: Int) -> Double {
        var s = 0.0
        switch self {
        case .euclidean:
            for f in 0..<features { let d = a[f] - b[f]; s += d * d }
        case .manhattan:
            for f in 0..<features { s += abs(a[f] - b[f]) }
        case .chebyshev:
            for f in 0..<features { s = max(s, abs(a[f] - b[f])) }
        case .minkowski(let p):
            for f in 0..<features { s += pow(abs(a[f] - b[f]), p) }
        }
        return s
    }

    /// Reduced distances from one query to the eight rows of a lane block (see `LaneBlocks`):
    /// one vector operation per feature.
    @inline(__always) func reduced(query q: UnsafePointer<Double>, block: UnsafePointer<SIMD8<Double>>, features: Int) -> SIMD8<Double> {
        var s = SIMD8<Double>(repeating: 0)
        switch self {
        case .euclidean:
            // Not addProduct: without FMA in the compile target it calls libm's fma once per lane.
            for f in 0..<features { let d = block[f] - SIMD8(repeating: q[f]); s += d * d }
        case .manhattan:
            for f in 0..<features { let d = block[f] - SIMD8(repeating: q[f]); s += d.replacing(with: -d, where: d .< 0) }
        case .chebyshev:
            for f in 0..<features {
                let d = block[f] - SIMD8(repeating: q[f])
                let a = d.replacing(with: -d, where: d .< 0)
                s = s.replacing(with: a, where: a .> s)
            }
        case .minkowski(let p):
            for f in 0..<features {
                let d = block[f] - SIMD8(repeating: q[f])
                for lane in 0..<8 { s[lane] += pow(abs(d[lane]), p) }
            }
        }
        return s
    }

    /// Combines the per-axis gaps between a query and a bounding box into a reduced lower bound.
    @inline(__always) func accumulate(_ s: Double, gap: Double) -> Double {
        switch self {
        case .euclidean: return s + gap * gap
        case .manhattan: return s + gap
        case .chebyshev: return max(s, gap)
        case .minkowski(let p): return s + pow(gap, p)
        }
    }
}
