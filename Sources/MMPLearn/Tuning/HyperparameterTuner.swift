#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// How the next trial's parameters are chosen.
public enum TuningSampler: Sendable {
    /// Model-based: the tree-structured Parzen estimator (the default).
    case tpe(TPESampler)
    /// Independent uniform draws (log-uniform where asked), kept as the baseline TPE must beat.
    case random
}

/// Searches a hyperparameter space, scoring each trial with `objective`.
///
/// Trials run one after another: each is chosen by the sampler from the trials before it, so
/// a seed reproduces the whole search when the objective is deterministic.
public struct HyperparameterTuner: Sendable {
    public var space: [SearchDimension]
    public var trials: Int
    public var timeout: Double?
    public var direction: MetricDirection
    public var metric: String
    public var seed: Int
    public var sampler: TuningSampler

    public init(space: [SearchDimension], trials: Int, timeout: Double? = nil, direction: MetricDirection, metric: String, seed: Int,
                sampler: TuningSampler = .tpe(TPESampler())) {
        self.space = space; self.trials = trials; self.timeout = timeout; self.direction = direction; self.metric = metric; self.seed = seed
        self.sampler = sampler
    }

    /// Runs the search. A trial whose objective throws (or returns a non-finite score) is
    /// recorded as failed, with no score, and the search goes on; the sampler ignores it rather
    /// than scoring it as zero. Cancellation (`MMPError.cancelled`) stops the search at once
    /// and is rethrown. `timeout` (seconds) stops it before a new trial starts, once at least
    /// one trial ran.
    public func run(objective: (JSONObject) throws -> Double) throws -> TuningResult {
        var generator = SeededGenerator(seed: seed)
        var history: [Trial] = []
        let start = Timestamp.monotonic()
        for number in 0..<trials {
            if let timeout, Timestamp.monotonic() - start > timeout, !history.isEmpty { break }
            let parameters: JSONObject
            switch sampler {
            case .random: parameters = RandomSampler.sample(space, &generator)
            case .tpe(let tpe): parameters = tpe.suggest(space, history: history, direction: direction, budget: trials, &generator)
            }
            let t0 = Timestamp.monotonic()
            do {
                let score = try objective(parameters)
                history.append(Trial(number: number, parameters: parameters, score: score.isFinite ? score : nil, seconds: Timestamp.monotonic() - t0,
                                     error: score.isFinite ? nil : "score is not a number"))
            } catch let error as MMPError where error.kind == .cancelled {
                throw error
            } catch {
                history.append(Trial(number: number, parameters: parameters, score: nil, seconds: Timestamp.monotonic() - t0, error: "\(error)"))
            }
        }
        let scored = history.filter { $0.score != nil }
        let best = direction == .maximize ? scored.max { $0.score! < $1.score! } : scored.min { $0.score! < $1.score! }
        return TuningResult(best: best, trials: history, direction: direction, metric: metric)
    }
}

/// Uniform (or log-uniform) independent sampling of each dimension.
public enum RandomSampler {
    // `log` is also the name of a dimension's flag below; keep the math function apart.
    #if canImport(Glibc)
    @inline(__always) static func ln(_ x: Double) -> Double { Glibc.log(x) }
    #else
    @inline(__always) static func ln(_ x: Double) -> Double { Darwin.log(x) }
    #endif

    public static func sample(_ space: [SearchDimension], _ g: inout SeededGenerator) -> JSONObject {
        var out = JSONObject()
        for d in space { out[d.name] = sample(d, &g) }
        return out
    }

    public static func sample(_ d: SearchDimension, _ g: inout SeededGenerator) -> JSON {
        switch d.kind {
        case .int(let low, let high, let log):
            if log && low >= 1 {
                let x = exp(ln(Double(low)) + g.unit() * (ln(Double(high) + 1) - ln(Double(low))))
                return .int(min(high, max(low, Int(x.rounded(.down)))))
            }
            return .int(low + g.uniform(high - low + 1))
        case .float(let low, let high, let log):
            if log && low > 0 { return .double(min(high, max(low, exp(ln(low) + g.unit() * (ln(high) - ln(low)))))) }
            return .double(low + g.unit() * (high - low))
        case .categorical(let choices):
            return choices[g.uniform(choices.count)]
        }
    }
}
