/// Cluster centres laid out for the assignment step: clusters eight at a time, so one vector
/// operation per feature scores a row against eight centres, with no horizontal sums.
///
/// The score of centre c for row x is ‖c‖²/2 − x·c: half the squared distance minus ‖x‖²/2,
/// which is the same for every centre, so the smallest score is the nearest centre (the
/// expansion scikit-learn's Lloyd step uses too). Callers centre the data first, which keeps
/// the expansion accurate. Padding lanes score +∞ and are never chosen.
struct CentroidBlocks {
    let clusters: Int
    let features: Int
    let groups: Int
    /// `groups × features` vectors: coordinate f of clusters 8g…8g+7.
    var coordinates: [SIMD8<Double>]
    /// ‖c‖²/2 per cluster, +∞ in padding lanes.
    var halfNorms: [SIMD8<Double>]

    init(centers: [Double], clusters: Int, features: Int) {
        self.clusters = clusters
        self.features = features
        groups = (clusters + 7) / 8
        coordinates = [SIMD8<Double>](repeating: SIMD8(repeating: 0), count: groups * features)
        halfNorms = [SIMD8<Double>](repeating: SIMD8(repeating: .infinity), count: groups)
        for c in 0..<clusters {
            var norm = 0.0
            for f in 0..<features {
                let v = centers[c * features + f]
                coordinates[(c / 8) * features + f][c % 8] = v
                norm += v * v
            }
            halfNorms[c / 8][c % 8] = norm / 2
        }
    }

    /// The nearest centre of the row at `x`.
    @inline(__always) static func nearest(_ x: UnsafePointer<Double>, coordinates: UnsafePointer<SIMD8<Double>>,
                                          halfNorms: UnsafePointer<SIMD8<Double>>, groups: Int, features: Int) -> Int {
        var best = Double.infinity, bestIndex = 0
        for g in 0..<groups {
            var score = halfNorms[g]
            let block = coordinates + g * features
            var f = 0
            // Two features per step: two independent products, one dependent subtraction chain.
            while f + 1 < features {
                score -= block[f] * SIMD8(repeating: x[f]) + block[f + 1] * SIMD8(repeating: x[f + 1])
                f += 2
            }
            if f < features { score -= block[f] * SIMD8(repeating: x[f]) }
            let m = score.min()
            if m < best {
                best = m
                for lane in 0..<8 where score[lane] == m { bestIndex = g * 8 + lane; break }
            }
        }
        return bestIndex
    }
}
