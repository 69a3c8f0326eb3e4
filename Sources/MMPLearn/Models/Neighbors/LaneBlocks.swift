/// Rows stored eight at a time, feature-major inside each block: block b holds, for feature f,
/// one `SIMD8` with feature f of rows 8b…8b+7. A query's distances to eight rows then cost one
/// vector operation per feature and no horizontal sums, which is what makes brute-force
/// neighbour search and silhouette distances run at memory speed.
///
/// Lanes past the last row repeat the last row; callers ignore lanes at or beyond `rows`.
struct LaneBlocks: Sendable {
    let rows: Int
    let features: Int
    let blockCount: Int
    /// `blockCount × features` vectors.
    let storage: [SIMD8<Double>]

    /// From rows of a row-major array (`rowIndices` picks and orders them; nil = all in order).
    init(values: [Double], columns: Int, rowIndices: [Int]? = nil) {
        let n = rowIndices?.count ?? (columns == 0 ? 0 : values.count / columns)
        rows = n
        features = columns
        let blockCount = (n + 7) / 8
        self.blockCount = blockCount
        var out = [SIMD8<Double>](repeating: SIMD8(repeating: 0), count: blockCount * columns)
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                for b in 0..<blockCount {
                    for lane in 0..<8 {
                        let r = min(b * 8 + lane, n - 1)
                        let source = rowIndices?[r] ?? r
                        for f in 0..<columns { o[b * columns + f][lane] = v[source * columns + f] }
                    }
                }
            }
        }
        storage = out
    }

    /// How many lanes of block `b` hold real rows.
    @inline(__always) func validLanes(_ b: Int) -> Int { min(8, rows - b * 8) }
}
