import MMPCore

/// What a model is fitted on: features (rows = samples), the target, and an optional
/// validation set for early stopping. For classification the target holds class indices
/// `0..<classCount` (see `LabelEncoding`); for clustering it is empty.
public struct TrainingSet: Sendable {
    public var features: Matrix
    public var target: [Double]
    public var classCount: Int
    public var featureNames: [String]
    public var validation: EvaluationSet?
    /// Causal recipes: 1 for treated rows, 0 for control rows (see `TreatmentEncoding`).
    public var treatment: [Double]?
    /// Features that hold category codes (a text column the pipeline coded for a model that
    /// splits on categories itself, the boosting family); the others are numbers.
    public var categoricalFeatures: [Int] = []

    public init(features: Matrix, target: [Double], classCount: Int, featureNames: [String], validation: EvaluationSet? = nil,
                treatment: [Double]? = nil) {
        self.features = features
        self.target = target
        self.classCount = classCount
        self.featureNames = featureNames
        self.validation = validation
        self.treatment = treatment
    }
}

public struct EvaluationSet: Sendable {
    public var features: Matrix
    public var target: [Double]
    /// Causal recipes: the rows' treatment (1) or control (0).
    public var treatment: [Double]?
    public init(features: Matrix, target: [Double], treatment: [Double]? = nil) {
        self.features = features; self.target = target; self.treatment = treatment
    }
}

/// What a fit may use besides the data: its seed, how many threads, and hooks to report
/// progress and to notice cancellation (checked between iterations, never spinning).
public struct FitContext: Sendable {
    public var seed: UInt64
    public var threads: Int
    public var progress: @Sendable (Double) -> Void
    public var isCancelled: @Sendable () -> Bool

    public init(seed: UInt64 = 42, threads: Int = CPUInfo.availableCores,
                progress: @escaping @Sendable (Double) -> Void = { _ in },
                isCancelled: @escaping @Sendable () -> Bool = { false }) {
        self.seed = seed
        self.threads = max(1, threads)
        self.progress = progress
        self.isCancelled = isCancelled
    }

    /// Throws `cancelled` when the job was cancelled; call between iterations.
    public func checkCancelled() throws {
        if isCancelled() { throw MMPError(.cancelled, "training was cancelled") }
    }
}

/// A configured, unfitted model.
public protocol Estimator: Sendable {
    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel
}

/// A fitted model. Saved in and loaded from model bundles by `typeName` (see `ModelCodec`).
public protocol TrainedModel: Sendable, BinaryCodable {
    /// Stable name written into bundles; never change it once shipped.
    static var typeName: String { get }
    /// Regression values, class indices (as doubles) or cluster ids, one per row.
    func predict(_ features: Matrix) -> [Double]
    /// Class probabilities (rows × classes) for classifiers; nil otherwise.
    func predictProbabilities(_ features: Matrix) -> Matrix?
    /// Both at once, equal to calling each: models whose predictions are the argmax of their
    /// probabilities override it so that the work (every tree, for boosting) is done once.
    func predictWithProbabilities(_ features: Matrix) -> (predictions: [Double], probabilities: Matrix?)
    /// One non-negative importance per feature, summing to 1, where the model has them.
    var featureImportances: [Double]? { get }
    /// Facts worth reporting (iterations run, trees built, inertia, ...).
    var summary: JSONObject { get }
}

extension TrainedModel {
    public func predictProbabilities(_ features: Matrix) -> Matrix? { nil }
    public func predictWithProbabilities(_ features: Matrix) -> (predictions: [Double], probabilities: Matrix?) {
        (predict(features), predictProbabilities(features))
    }
    public var featureImportances: [Double]? { nil }
    public var summary: JSONObject { JSONObject() }
}
