import MMPCore

/// What a metric is computed from. Classification: `truth` and `predicted` hold class indices
/// and `probabilities` is rows × classes. Clustering: `predicted` holds cluster ids and
/// `features` the rows they were computed on.
public struct MetricInput: Sendable {
    public var truth: [Double]
    public var predicted: [Double]
    public var probabilities: Matrix?
    public var classCount: Int
    public var features: Matrix?
    /// The fitted model's own figures (KMeans `inertia`), keyed by metric name.
    public var modelFigures: [String: Double]
    /// Classification: the class labels by index, for the per-class metrics named by label
    /// (`class_<label>_precision`).
    public var classLabels: [String]? = nil
    /// Causal: 1 for treated rows, 0 for control rows, and the model's predicted outcome of each
    /// row under control and under treatment (`predicted` holds their difference, the CATE).
    public var treatment: [Double]? = nil
    public var controlOutcome: [Double]? = nil
    public var treatedOutcome: [Double]? = nil
    /// Quantile models: one prediction per row for each quantile level, levels ascending.
    public var quantiles: [QuantilePrediction] = []
    /// A calibrated classifier's probabilities before calibration (the calibration metrics'
    /// `_uncalibrated` figures); nil otherwise.
    public var uncalibratedProbabilities: Matrix? = nil

    public init(truth: [Double], predicted: [Double], probabilities: Matrix? = nil, classCount: Int = 0,
                features: Matrix? = nil, modelFigures: [String: Double] = [:]) {
        self.truth = truth; self.predicted = predicted; self.probabilities = probabilities
        self.classCount = classCount; self.features = features; self.modelFigures = modelFigures
    }
}

public enum MetricDirection: String, Sendable { case maximize, minimize }

public struct MetricDescriptor: Sendable {
    public var name: String
    public var aliases: [String]
    public var task: MLTask
    public var direction: MetricDirection
    public var summary: String
    /// nil when the metric cannot be computed for this input (e.g. roc_auc with one class present).
    public var compute: @Sendable (MetricInput) -> Double?

    public init(name: String, aliases: [String] = [], task: MLTask, direction: MetricDirection, summary: String,
                compute: @escaping @Sendable (MetricInput) -> Double?) {
        self.name = name; self.aliases = aliases; self.task = task; self.direction = direction
        self.summary = summary; self.compute = compute
    }
}

public protocol MetricFamily: SendableMetatype {
    static var descriptors: [MetricDescriptor] { get }
}

public enum MetricCatalog {
    public static let families: [any MetricFamily.Type] = [
        ClassificationMetrics.self, RegressionMetrics.self, ClusteringMetrics.self, CalibrationMetrics.self,
        TimeSeriesMetrics.self, CausalMetrics.self, QuantileMetrics.self,
    ]

    public static let all: [MetricDescriptor] = families.flatMap { $0.descriptors }

    public static func lookup(_ name: String, task: MLTask) -> MetricDescriptor? {
        let key = name.lowercased()
        if let d = all.first(where: { $0.task == task && ($0.name == key || $0.aliases.contains(key)) }) { return d }
        // The Python tool's per-class names: class_<label>_<precision|recall|f1|support>.
        if task == .classification { return PerClassMetric.descriptor(named: key) }
        if task == .regression { return QuantileMetrics.descriptor(named: key) }
        return nil
    }

    public static func names(for task: MLTask) -> [String] { all.filter { $0.task == task }.map(\.name) }

    /// Reported when a recipe lists no metrics.
    public static func defaults(for task: MLTask) -> [String] {
        switch task {
        case .classification: return ["accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"]
        case .regression: return ["rmse", "mae", "r2", "mse"]
        case .clustering: return ["silhouette_score", "inertia"]
        case .timeseries: return ["mse", "rmse", "mae", "mape", "smape"]
        case .causal: return ["ate", "ate_std", "ate_ci_lower", "ate_ci_upper", "treatment_effect_significance",
                              "uplift_auc", "qini_coefficient", "outcome_rmse"]
        }
    }

    /// The metric tuning optimises when the recipe names none.
    public static func primary(for task: MLTask, classCount: Int) -> String {
        switch task {
        case .classification: return classCount == 2 ? "roc_auc" : "accuracy"
        case .regression: return "rmse"
        case .clustering: return "silhouette_score"
        case .timeseries: return "rmse"
        case .causal: return "outcome_rmse"
        }
    }
}
