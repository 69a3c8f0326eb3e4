/// The rows k-means works on, shared by the initialisation and Lloyd's iterations: as given
/// (doubles, for the initialisation, relocations and inertia) and centred on their means in
/// single precision (for the assignment step, see `CentroidBlocks`). Every pass over them is cut
/// into fixed chunks (see `ParallelChunks`) and per-chunk sums are merged in chunk order, so a
/// seed gives the same centres on any number of cores.
struct KMeansData {
    /// rows × features, row-major.
    let x: UnsafeBufferPointer<Double>
    /// x − means, as floats.
    let centred: UnsafeBufferPointer<Float>
    let means: [Double]
    let rows: Int
    let features: Int
    let threads: Int

    /// Calls `body` with the rows of `values` (row-major) and their centred single-precision copy.
    static func with<T>(_ values: [Double], rows: Int, features: Int, threads: Int, _ body: (KMeansData) throws -> T) rethrows -> T {
        var means = [Double](repeating: 0, count: features)
        for r in 0..<rows { for f in 0..<features { means[f] += values[r * features + f] } }
        means = means.map { $0 / Double(max(1, rows)) }
        var centred = [Float](repeating: 0, count: rows * features)
        for r in 0..<rows { for f in 0..<features { centred[r * features + f] = Float(values[r * features + f] - means[f]) } }
        return try values.withUnsafeBufferPointer { x in
            try centred.withUnsafeBufferPointer { c in
                try body(KMeansData(x: x, centred: c, means: means, rows: rows, features: features, threads: threads))
            }
        }
    }

    /// Chunks of at least 2,048 rows, few enough that per-chunk centre sums stay small.
    func chunkSize(clusters: Int) -> Int {
        let maxChunks = max(1, min(64, 4_000_000 / max(1, clusters * features)))
        return max(2048, (rows + maxChunks - 1) / maxChunks)
    }

    @inline(__always) func row(_ r: Int) -> UnsafePointer<Double> { x.baseAddress! + r * features }

    @inline(__always) func squaredDistance(_ r: Int, _ center: UnsafePointer<Double>) -> Double {
        let p = row(r)
        var s = 0.0
        for f in 0..<features { let d = p[f] - center[f]; s += d * d }
        return s
    }
}
