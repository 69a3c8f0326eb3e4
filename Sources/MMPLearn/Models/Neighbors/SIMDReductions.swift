/// Horizontal reductions of 8-lane vectors by halving, with plain compare-and-select.
///
/// The standard library's `min()` on SIMD types is an out-of-line loop over the lanes, and its
/// `pointwiseMin` checks every lane for NaN with scalar branches; in the per-row inner loop of
/// k-means either one cost more than the distances themselves. Callers pass no NaN.
enum SIMDReductions {
    @inline(__always) static func lesser<V: SIMD>(_ a: V, _ b: V) -> V where V.Scalar: Comparable {
        a.replacing(with: b, where: b .< a)
    }

    @inline(__always) static func min(_ v: SIMD8<Float>) -> Float {
        let m4 = lesser(v.lowHalf, v.highHalf)
        let m2 = lesser(m4.lowHalf, m4.highHalf)
        return m2[1] < m2[0] ? m2[1] : m2[0]
    }

    @inline(__always) static func min(_ v: SIMD8<Int32>) -> Int32 {
        let m4 = lesser(v.lowHalf, v.highHalf)
        let m2 = lesser(m4.lowHalf, m4.highHalf)
        return m2[1] < m2[0] ? m2[1] : m2[0]
    }

    @inline(__always) static func min(_ v: SIMD8<Double>) -> Double {
        let m4 = lesser(v.lowHalf, v.highHalf)
        let m2 = lesser(m4.lowHalf, m4.highHalf)
        return m2[1] < m2[0] ? m2[1] : m2[0]
    }

    @inline(__always) static func sum(_ v: SIMD8<Double>) -> Double {
        let s4 = v.lowHalf + v.highHalf
        let s2 = s4.lowHalf + s4.highHalf
        return s2[0] + s2[1]
    }
}
