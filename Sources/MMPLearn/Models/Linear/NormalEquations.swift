/// The normal equations of centred least squares, XcᵀXc and Xcᵀyc, accumulated in one pass over
/// the row-major features (in parallel chunks, summed in a fixed order), without the column-major
/// copy coordinate descent needs.
struct NormalEquations {
    var means: [Double]
    var targetMean: Double
    /// XcᵀXc, d×d row-major.
    var gram: [Double]
    var xty: [Double]

    init(_ x: Matrix, _ y: [Double], center: Bool, threads: Int) {
        let n = x.rows, d = x.columns
        var means = [Double](repeating: 0, count: d), targetMean = 0.0
        if center, n > 0 {
            let sums = x.values.withUnsafeBufferPointer { xb in
                y.withUnsafeBufferPointer { yb in
                    let xp = xb.baseAddress!, yp = yb.baseAddress!
                    return ChunkedReduction(rows: n, width: d + 1, threads: threads).sum { rows, acc in
                        for i in rows {
                            VectorMath.axpy(1, xp + i * d, acc, d)
                            acc[d] += yp[i]
                        }
                    }
                }
            }
            means = sums[0..<d].map { $0 / Double(n) }
            targetMean = sums[d] / Double(n)
        }
        let width = d * d + d
        let totals = x.values.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                means.withUnsafeBufferPointer { mb in
                    let xp = xb.baseAddress!, yp = yb.baseAddress!, mp = mb.baseAddress!
                    let ym = targetMean
                    return ChunkedReduction(rows: n, width: width, threads: threads).sum { rows, acc in
                        let r = UnsafeMutablePointer<Double>.allocate(capacity: max(d, 1))
                        defer { r.deallocate() }
                        for i in rows {
                            for j in 0..<d { r[j] = xp[i * d + j] - mp[j] }
                            // Upper triangle only: row a gets r[a] · r[a..<d].
                            for a in 0..<d { VectorMath.axpy(r[a], r + a, acc + a * d + a, d - a) }
                            VectorMath.axpy(yp[i] - ym, r, acc + d * d, d)
                        }
                    }
                }
            }
        }
        var gram = Array(totals[0..<(d * d)])
        for a in 0..<d { for b in 0..<a { gram[a * d + b] = gram[b * d + a] } }
        self.means = means
        self.targetMean = targetMean
        self.gram = gram
        self.xty = Array(totals[(d * d)...])
    }

    func intercept(_ w: [Double]) -> Double { targetMean - VectorMath.dot(means, w) }
}
