/// The k best candidates seen so far for one query, ordered by (reduced distance, training row).
///
/// Ordering ties by training row makes the answer exact and the same whichever index found it
/// (brute force or k-d tree): among equally distant rows the earliest one wins.
struct NeighborList {
    let k: Int
    private(set) var distances: [Double]
    private(set) var indices: [Int]

    init(k: Int) {
        self.k = k
        distances = [Double](repeating: .infinity, count: k)
        indices = [Int](repeating: .max, count: k)
    }

    mutating func reset() {
        for i in 0..<k { distances[i] = .infinity; indices[i] = .max }
    }

    /// The distance a candidate must not exceed to enter.
    @inline(__always) var worst: Double { distances[k - 1] }

    @inline(__always) mutating func offer(_ d: Double, _ index: Int) {
        guard d < distances[k - 1] || (d == distances[k - 1] && index < indices[k - 1]) else { return }
        var i = k - 1
        while i > 0 && (distances[i - 1] > d || (distances[i - 1] == d && indices[i - 1] > index)) {
            distances[i] = distances[i - 1]
            indices[i] = indices[i - 1]
            i -= 1
        }
        distances[i] = d
        indices[i] = index
    }
}
