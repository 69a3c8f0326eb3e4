/// Cluster centres laid out for the assignment step: clusters eight at a time, so one vector
/// operation per feature scores a row against eight centres, with no horizontal sums.
///
/// The score of centre c for row x is ‖c‖²/2 − x·c: half the squared distance minus ‖x‖²/2,
/// which is the same for every centre, so the smallest score is the nearest centre (the
/// expansion scikit-learn's Lloyd step uses too). It is computed on rows and centres centred on
/// the training means, which keeps the expansion accurate, and in single precision: twice the
/// lanes per instruction and half the memory traffic of doubles, with distances still exact to
/// about 1e-7 relative, so only rows within that of a tie between two centres can go either
/// way. The per-cluster sums of those single-precision rows are kept in doubles, so a centre is
/// off its exact mean by about 1e-7 of the data's spread; the initialisation, the relocation of
/// empty clusters and the reported inertia use the rows as given. Padding lanes score +∞.
struct CentroidBlocks {
    let clusters: Int
    let features: Int
    let groups: Int
    /// `groups × features` vectors: coordinate f of clusters 8g…8g+7 (centred).
    var coordinates: [SIMD8<Float>]
    /// ‖c‖²/2 per cluster (centred), +∞ in padding lanes.
    var halfNorms: [SIMD8<Float>]

    /// From centres in the data's units and the means the rows were centred on.
    init(centers: [Double], means: [Double], clusters: Int, features: Int) {
        self.clusters = clusters
        self.features = features
        groups = (clusters + 7) / 8
        coordinates = [SIMD8<Float>](repeating: SIMD8(repeating: 0), count: groups * features)
        halfNorms = [SIMD8<Float>](repeating: SIMD8(repeating: .infinity), count: groups)
        for c in 0..<clusters {
            var norm: Float = 0
            for f in 0..<features {
                let v = Float(centers[c * features + f] - means[f])
                coordinates[(c / 8) * features + f][c % 8] = v
                norm += v * v
            }
            halfNorms[c / 8][c % 8] = norm / 2
        }
    }

    /// The nearest centre of the (centred) row at `x`; ties go to the lower cluster number.
    @inline(__always) static func nearest(_ x: UnsafePointer<Float>, coordinates: UnsafePointer<SIMD8<Float>>,
                                          halfNorms: UnsafePointer<SIMD8<Float>>, groups: Int, features: Int) -> Int {
        let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        var best = Float.infinity, bestIndex = 0
        for g in 0..<groups {
            let block = coordinates + g * features
            // Four partial sums: independent dependency chains keep both vector pipes busy.
            var a0 = SIMD8<Float>(repeating: 0), a1 = a0, a2 = a0, a3 = a0
            var f = 0
            while f + 3 < features {
                a0 += block[f] * SIMD8(repeating: x[f])
                a1 += block[f + 1] * SIMD8(repeating: x[f + 1])
                a2 += block[f + 2] * SIMD8(repeating: x[f + 2])
                a3 += block[f + 3] * SIMD8(repeating: x[f + 3])
                f += 4
            }
            while f < features { a0 += block[f] * SIMD8(repeating: x[f]); f += 1 }
            let score = halfNorms[g] - ((a0 + a1) + (a2 + a3))
            let m = SIMDReductions.min(score)
            if m < best {
                best = m
                // The first lane holding the minimum, without a branch per lane.
                bestIndex = g * 8 + Int(SIMDReductions.min(lanes.replacing(with: 8, where: score .!= SIMD8(repeating: m))))
            }
        }
        return bestIndex
    }
}
