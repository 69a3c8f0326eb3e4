/// A seeded SplitMix64 generator: the one source of randomness in training, so a recipe's seed
/// reproduces its split, its trees and its tuning trials exactly.
///
/// `scripts/sklearn_reference.py` mirrors `next()`, `uniform(_:)` and `shuffle` bit for bit
/// to reproduce our splits in scikit-learn; change them together.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }
    public init(seed: Int) { state = UInt64(bitPattern: Int64(seed)) }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An integer in `0..<bound` (modulo reduction: simple to mirror, bias negligible here).
    public mutating func uniform(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next() % UInt64(bound))
    }

    /// A double in [0, 1) with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Fisher–Yates from the end: for i from n-1 down to 1, swap i with uniform(i + 1).
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, uniform(i + 1))
        }
    }

    /// A child generator for parallel work (tree i of a forest gets `derived(i)`).
    public func derived(_ index: Int) -> SeededGenerator {
        var g = SeededGenerator(seed: state ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        _ = g.next()
        return g
    }
}
