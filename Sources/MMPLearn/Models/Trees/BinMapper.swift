import MMPCore

/// How one feature's values map to at most 255 bins, and back to thresholds.
///
/// Bin `b` holds the values in `(upperBounds[b - 1], upperBounds[b]]`; the last bound is
/// +infinity. Missing values (NaN) get their own bin, `missingBin`, after the real ones. A
/// split "bin <= b" on binned data is the split "value <= upperBounds[b]" on raw data, which is
/// how trees trained on bins predict on raw rows.
struct BinMapper: Sendable {
    /// Padded to 256 entries with +infinity so `bin(_:)` can search without bounds checks.
    private(set) var upperBounds: [Double]
    /// Real bins (1...255).
    let binCount: Int

    var missingBin: Int { binCount }
    /// Real bins plus the missing bin.
    var slots: Int { binCount + 1 }

    static let maxBins = 255

    /// Boundaries from a sample of one feature's values (NaN ignored). Up to `maxBins` distinct
    /// values each get a bin, split at midpoints (as an exact split would be); more are cut
    /// into bins of about equal count, walking the sorted distinct values so that a value that
    /// repeats often gets a bin of its own instead of being split across bins.
    init(sample: [Double], maxBins requested: Int) {
        let maxBins = min(max(2, requested), BinMapper.maxBins)
        var sorted = sample.filter { !$0.isNaN }
        RadixSort.sort(&sorted)
        var distinct: [Double] = []
        var counts: [Int] = []
        for v in sorted {
            if let last = distinct.last, last == v { counts[counts.count - 1] += 1 } else { distinct.append(v); counts.append(1) }
        }
        var bounds: [Double] = []
        if distinct.count <= maxBins {
            for i in 0..<max(0, distinct.count - 1) { bounds.append(BinMapper.midpoint(distinct[i], distinct[i + 1])) }
        } else {
            var remaining = sorted.count
            var binsLeft = maxBins
            var inBin = 0
            for i in 0..<(distinct.count - 1) {
                inBin += counts[i]
                // Close the bin once it holds its share of what is left, or when the next value
                // alone would fill a bin (so it starts a fresh one).
                let target = Double(remaining) / Double(binsLeft)
                if Double(inBin) >= target || (inBin > 0 && Double(counts[i + 1]) >= target) {
                    bounds.append(BinMapper.midpoint(distinct[i], distinct[i + 1]))
                    remaining -= inBin
                    inBin = 0
                    binsLeft -= 1
                    if binsLeft == 1 { break }
                }
            }
        }
        bounds.append(.infinity)
        binCount = bounds.count
        upperBounds = bounds + [Double](repeating: .infinity, count: 256 - bounds.count)
    }

    init(upperBounds bounds: [Double]) {
        binCount = bounds.count
        upperBounds = bounds + [Double](repeating: .infinity, count: 256 - bounds.count)
    }

    /// The threshold for a split that sends bins `0...bin` left.
    func threshold(afterBin bin: Int) -> Double { upperBounds[bin] }

    /// Between two sorted distinct values, such that `a <= mid < b` even when they are
    /// neighbouring doubles (as scikit-learn places its thresholds).
    static func midpoint(_ a: Double, _ b: Double) -> Double {
        let mid = a / 2 + b / 2
        return (mid >= b || mid < a || !mid.isFinite) ? a : mid
    }
}
