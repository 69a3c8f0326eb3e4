import MMPCore

/// A recipe: what to learn (design §1). It names no host, password or machine path; the
/// environment's config decides where it runs.
///
/// The schema follows the Python modern-ml-pipeline recipe, so a recipe written for that tool
/// runs here wherever the model exists in our catalog. See docs/recipes.md for every field.
public struct Recipe: Sendable {
    public var name: String
    public var task: MLTask
    public var model: ModelSection
    public var data: DataSection
    public var preprocessor: [PreprocessorStep]
    public var evaluation: EvaluationSection
    public var metadata: JSONObject
    /// `monitoring:` (drift baseline and thresholds); defaults when absent.
    public var monitoring = MonitoringSection()
    /// The recipe as JSON after overrides: the snapshot stored with jobs and bundles.
    public var snapshot: JSON
    /// Where it was read from, for error messages ("recipes/churn.yaml").
    public var file: String
}

public struct ModelSection: Sendable {
    /// As written (`sklearn.linear_model.LogisticRegression`, `LogisticRegression`, ...).
    public var classPath: String
    public var library: String?
    public var hyperparameters: HyperparameterSection
    /// `sigmoid`, `isotonic` or `beta` when `model.calibration.enabled`: recalibrate the classifier's
    /// probabilities on the calibration split.
    public var calibrationMethod: String?
}

public struct HyperparameterSection: Sendable {
    public var tuningEnabled: Bool
    /// Used when tuning is off.
    public var values: JSONObject
    /// Held fixed while tuning.
    public var fixed: JSONObject
    /// The search space, in the order written.
    public var tunable: [TunableParameter]
    public var nTrials: Int
    /// Seconds; nil for no limit.
    public var timeout: Double?
    public var optimizationMetric: String?
    /// `maximize` or `minimize`; nil means the metric's natural direction.
    public var direction: String?
    /// Refit the final model on train + validation after tuning (default true).
    public var refitOnTrainAndValidation: Bool

    /// The hyperparameters to train with when not tuning, or the fixed part when tuning.
    public var baseValues: JSONObject { tuningEnabled ? fixed : values }
}

public struct TunableParameter: Sendable, Equatable {
    public enum Kind: String, Sendable { case int, float, categorical }
    public var name: String
    public var kind: Kind
    public var low: Double
    public var high: Double
    /// Sample on a log scale (log-uniform).
    public var log: Bool
    public var choices: [JSON]
    public var path: String

    public init(name: String, kind: Kind, low: Double = 0, high: Double = 0, log: Bool = false, choices: [JSON] = [], path: String = "") {
        self.name = name; self.kind = kind; self.low = low; self.high = high; self.log = log; self.choices = choices; self.path = path
    }
}

public struct DataSection: Sendable {
    public var loader: LoaderSection
    public var fetcher: FetcherSection
    public var dataInterface: DataInterfaceSection
    public var split: SplitSection
}

public struct LoaderSection: Sendable {
    /// A CSV or Parquet path, a `.sql` file or a `.sql.j2` template, relative to the working
    /// folder (or the recipe's folder).
    public var sourceURI: String
    /// Named query parameters and their defaults (`:start_date` in the SQL); `--param` overrides.
    public var parameters: JSONObject

    public var isSQL: Bool { sourceURI.lowercased().hasSuffix(".sql") || sourceURI.lowercased().hasSuffix(".sql.j2") }
}

public struct FetcherSection: Sendable {
    public enum Kind: String, Sendable { case passThrough = "pass_through", featureStore = "feature_store" }
    public var kind: Kind
    public var featureViews: [FeatureViewSelection]
    public var timestampColumn: String?
}

/// One feature view a recipe joins, and which of its features (nil: all of them).
public struct FeatureViewSelection: Sendable, Equatable {
    public var name: String
    public var features: [String]?
    /// The entity column the view is joined on (`join_key`, the Python tool's mapping form); it must
    /// be one of the view's entities. nil: the view's entities as declared.
    public var joinKey: String?
    public init(name: String, features: [String]?, joinKey: String? = nil) {
        self.name = name; self.features = features; self.joinKey = joinKey
    }
}

public struct DataInterfaceSection: Sendable {
    public var targetColumn: String?
    public var entityColumns: [String]
    /// nil: every column that is not an entity, target or timestamp column.
    public var featureColumns: [String]?
    public var timestampColumn: String?
    /// The binary treatment column of a causal recipe (0/1, true/false, or two labels one of which
    /// is the model's `control_name`).
    public var treatmentColumn: String? = nil
}

public struct SplitSection: Sendable {
    public enum Strategy: String, Sendable { case random, temporal }
    public var strategy: Strategy
    public var temporalColumn: String?
    public var train: Double
    public var validation: Double
    public var test: Double
    public var calibration: Double
    /// Stratify random splits by class (classification only). Default true.
    public var stratify: Bool
}

public struct PreprocessorStep: Sendable {
    public var type: String
    /// nil: every column the step applies to.
    public var columns: [String]?
    /// Every other field of the step (`strategy`, `fill_value`, `n_bins`, ...).
    public var options: JSONObject
    /// `preprocessor.steps[2]`, for error messages.
    public var path: String
}

public struct EvaluationSection: Sendable {
    /// Empty: the task's default metrics.
    public var metrics: [String]
    public var randomState: Int
}

