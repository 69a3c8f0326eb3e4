/// NaN-aware statistics the fitted steps are made of, computed the way numpy computes them so
/// fitted values match scikit-learn's to rounding.
enum ColumnStatistics {
    /// The present (non-NaN) values.
    static func present(_ values: [Double]) -> [Double] { values.filter { !$0.isNaN } }

    static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return values.reduce(0, +) / Double(values.count)
    }

    /// Population variance (ddof 0), two-pass.
    static func variance(_ values: [Double], mean m: Double) -> Double {
        values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)
    }

    /// The middle value, or the mean of the two middle values.
    static func median(sorted s: [Double]) -> Double? {
        guard !s.isEmpty else { return nil }
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    /// numpy's percentile with `method="linear"` (q in 0...1): virtual index (n-1)·q.
    static func linearQuantile(sorted s: [Double], _ q: Double) -> Double {
        let v = Double(s.count - 1) * q
        let below = v.rounded(.down)
        return interpolate(s, Int(below), v - below)
    }

    /// numpy's percentile with `method="averaged_inverted_cdf"` (q in 0...1): virtual index
    /// n·q − 1; on a whole index the two neighbours are averaged, otherwise the next one is taken.
    static func averagedInvertedCDFQuantile(sorted s: [Double], _ q: Double) -> Double {
        let v = Double(s.count) * q - 1
        let below = v.rounded(.down)
        let gamma = v - below == 0 ? 0.5 : 1
        return interpolate(s, Int(below), gamma)
    }

    /// numpy's `_lerp` between s[i] and s[i+1] (indices clipped to the array).
    private static func interpolate(_ s: [Double], _ i: Int, _ t: Double) -> Double {
        let a = s[min(max(i, 0), s.count - 1)], b = s[min(max(i + 1, 0), s.count - 1)]
        let d = b - a
        return t >= 0.5 ? b - d * (1 - t) : a + d * t
    }

    /// numpy's `linspace(start, stop, count)`: start + i·step, with the last point exactly `stop`.
    static func linspace(_ start: Double, _ stop: Double, _ count: Int) -> [Double] {
        guard count > 1 else { return [start] }
        let step = (stop - start) / Double(count - 1)
        var out = (0..<count).map { start + Double($0) * step }
        out[count - 1] = stop
        return out
    }

    /// The most frequent present value, the smallest among ties (scikit-learn's rule).
    static func mostFrequent<T: Hashable & Comparable>(_ values: some Sequence<T>) -> T? {
        var counts: [T: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        guard let top = counts.values.max() else { return nil }
        return counts.filter { $0.value == top }.keys.min()
    }
}
