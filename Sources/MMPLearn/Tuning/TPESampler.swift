#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// The tree-structured Parzen estimator (Bergstra et al. 2011), with Optuna's defaults
/// (multivariate, as Optuna uses for a single objective): random trials first; then the scored
/// trials are split into the best share (`gamma`) and the rest, a Parzen density l(x) is fitted
/// over the best and g(x) over the rest (see `ParzenEstimator`), and the next point is, of
/// `candidates` draws from l, the one with the largest l(x)/g(x) — where good trials were seen
/// and bad ones were not.
///
/// Failed trials are left out of both densities (a failure says nothing about the score), and
/// a minimised and a maximised metric are both turned into a loss first.
public struct TPESampler: Sendable {
    /// Random trials before the densities take over; nil = min(10, max(3, budget / 4)), so a
    /// small budget still gets model-based trials.
    public var startupTrials: Int?
    /// Draws from l(x) per trial.
    public var candidates: Int
    /// Weight of the prior kernel that spans the range in every density.
    public var priorWeight: Double

    public init(startupTrials: Int? = nil, candidates: Int = 24, priorWeight: Double = 1) {
        self.startupTrials = startupTrials
        self.candidates = max(1, candidates)
        self.priorWeight = priorWeight
    }

    func startup(budget: Int) -> Int { startupTrials ?? min(10, max(3, budget / 4)) }

    /// Optuna's gamma: the best ⌈10 %⌉ of the scored trials, at most 25, are "good".
    static func goodCount(_ n: Int) -> Int { min(Int((0.1 * Double(n)).rounded(.up)), 25) }

    /// Optuna's default weights: equal up to 25 trials; beyond that the 25 most recent count
    /// fully and older ones ramp down from 1 to 1/n.
    static func recencyWeights(_ n: Int) -> [Double] {
        guard n >= 25 else { return [Double](repeating: 1, count: n) }
        let ramp = n - 25
        let rising: [Double] = (0..<ramp).map { i in
            ramp == 1 ? 1 / Double(n) : 1 / Double(n) + (1 - 1 / Double(n)) * Double(i) / Double(ramp - 1)
        }
        return rising + [Double](repeating: 1, count: 25)
    }

    /// The next parameters to try, given every trial so far (in trial order).
    func suggest(_ space: [SearchDimension], history: [Trial], direction: MetricDirection, budget: Int,
                 _ g: inout SeededGenerator) -> JSONObject {
        let scored = history.filter { $0.score?.isFinite == true }
        guard scored.count >= startup(budget: budget), !scored.isEmpty else { return RandomSampler.sample(space, &g) }
        let loss: (Trial) -> Double = { direction == .maximize ? -$0.score! : $0.score! }
        // Best first; equal losses in trial order.
        let ranked = scored.indices.sorted { (loss(scored[$0]), $0) < (loss(scored[$1]), $1) }
        let nGood = max(1, Self.goodCount(scored.count))
        // Each group back in trial order, which the recency weights assume.
        let good = ranked.prefix(nGood).sorted().map { scored[$0] }
        let bad = ranked.dropFirst(nGood).sorted().map { scored[$0] }

        let transformed = space.map(Self.transformed)
        func density(_ trials: [Trial]) -> ParzenEstimator {
            var points: [[Double]] = [], weights: [Double] = []
            let recency = Self.recencyWeights(trials.count)
            for (i, t) in trials.enumerated() {
                // A trial whose values do not fit the space (a changed recipe) is left out.
                let point = space.compactMap { d in t.parameters[d.name].flatMap { Self.internalValue($0, d) } }
                guard point.count == space.count else { continue }
                points.append(point)
                weights.append(recency[i])
            }
            return ParzenEstimator(points: points, pointWeights: weights, space: transformed, priorWeight: priorWeight)
        }
        let l = density(good), gBad = density(bad)
        var best = l.sample(&g)
        var bestScore = l.logDensity(best) - gBad.logDensity(best)
        for _ in 1..<candidates {
            let x = l.sample(&g)
            let score = l.logDensity(x) - gBad.logDensity(x)
            if score > bestScore { best = x; bestScore = score }
        }
        var out = JSONObject()
        for (d, dimension) in space.enumerated() { out[dimension.name] = Self.externalValue(best[d], dimension) }
        return out
    }

    static func transformed(_ d: SearchDimension) -> TransformedDimension {
        switch d.kind {
        case .float(let low, let high, let log):
            return log && low > 0 ? .numeric(low: RandomSampler.ln(low), high: RandomSampler.ln(high), discrete: false) : .numeric(low: low, high: high, discrete: false)
        case .int(let low, let high, let log):
            // A log-scaled integer is searched as a continuous log-value over its buckets' span,
            // then rounded; a linear one gets discrete kernels.
            if log && low >= 1 { return .numeric(low: RandomSampler.ln(Double(low) - 0.5), high: RandomSampler.ln(Double(high) + 0.5), discrete: false) }
            return .numeric(low: Double(low), high: Double(high), discrete: true)
        case .categorical(let choices):
            return .categorical(count: choices.count)
        }
    }

    /// A trial's value in the transformed space, or nil when it is not in the dimension.
    static func internalValue(_ value: JSON, _ d: SearchDimension) -> Double? {
        switch d.kind {
        case .float(let low, let high, let log):
            guard let v = value.doubleValue, v >= low, v <= high else { return nil }
            return log && low > 0 ? RandomSampler.ln(v) : v
        case .int(let low, let high, let log):
            guard let v = value.intValue, v >= low, v <= high else { return nil }
            return log && low >= 1 ? RandomSampler.ln(Double(v)) : Double(v)
        case .categorical(let choices):
            return choices.firstIndex(of: value).map(Double.init)
                ?? value.doubleValue.flatMap { v in choices.firstIndex { $0.doubleValue == v }.map(Double.init) }
        }
    }

    static func externalValue(_ x: Double, _ d: SearchDimension) -> JSON {
        switch d.kind {
        case .float(let low, let high, let log):
            return .double(min(high, max(low, log && low > 0 ? exp(x) : x)))
        case .int(let low, let high, let log):
            let v = log && low >= 1 ? exp(x) : x
            return .int(min(high, max(low, Int(v.rounded()))))
        case .categorical(let choices):
            return choices[min(choices.count - 1, max(0, Int(x)))]
        }
    }
}
