/// Features and target centred on their training means, column-major (what coordinate descent
/// sweeps), as scikit-learn's `_preprocess_data` does before fitting a linear model with an
/// intercept: the coefficients are fitted on the centred data and the intercept is ȳ − x̄·w.
struct CenteredData {
    var means: [Double]
    var targetMean: Double
    /// Column-major centred features (column j is columns[j*n ..< (j+1)*n]).
    var columns: [Double]
    var target: [Double]
    let rows: Int
    let featureCount: Int

    init(_ x: Matrix, _ y: [Double], center: Bool) {
        rows = x.rows
        featureCount = x.columns
        let n = x.rows, d = x.columns
        var m = [Double](repeating: 0, count: d)
        var ym = 0.0
        if center, n > 0 {
            x.values.withUnsafeBufferPointer { xb in
                for i in 0..<n { for j in 0..<d { m[j] += xb[i * d + j] } }
            }
            for j in 0..<d { m[j] /= Double(n) }
            ym = y.reduce(0, +) / Double(n)
        }
        var cols = [Double](repeating: 0, count: n * d)
        cols.withUnsafeMutableBufferPointer { cb in
            x.values.withUnsafeBufferPointer { xb in
                let c = cb.baseAddress!, v = xb.baseAddress!
                for i in 0..<n { for j in 0..<d { c[j * n + i] = v[i * d + j] - m[j] } }
            }
        }
        means = m
        targetMean = ym
        columns = cols
        target = y.map { $0 - ym }
    }

    func intercept(_ w: [Double]) -> Double { targetMean - VectorMath.dot(means, w) }
}
