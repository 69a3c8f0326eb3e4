import MMPCore

/// One dimension of a hyperparameter search.
public struct SearchDimension: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case int(low: Int, high: Int, log: Bool)
        case float(low: Double, high: Double, log: Bool)
        case categorical([JSON])
    }
    public var name: String
    public var kind: Kind
    public init(name: String, kind: Kind) { self.name = name; self.kind = kind }
}

/// One evaluated point of a search.
public struct Trial: Sendable, Equatable {
    public var number: Int
    public var parameters: JSONObject
    /// nil when the trial failed (its error is in `error`).
    public var score: Double?
    public var seconds: Double
    public var error: String?

    public init(number: Int, parameters: JSONObject, score: Double?, seconds: Double, error: String? = nil) {
        self.number = number; self.parameters = parameters; self.score = score; self.seconds = seconds; self.error = error
    }
}

public struct TuningResult: Sendable {
    public var best: Trial?
    public var trials: [Trial]
    public var direction: MetricDirection
    public var metric: String
    public init(best: Trial?, trials: [Trial], direction: MetricDirection, metric: String) {
        self.best = best; self.trials = trials; self.direction = direction; self.metric = metric
    }
}
