import MMPCore
import MMPLearn

/// Everything needed to predict later (design §5), in one file.
public struct ModelBundle: Sendable {
    /// The bundle layout version this build writes and the newest it reads.
    public static let formatVersion: UInt16 = 1

    public var recipeName: String
    public var task: MLTask
    /// The recipe as trained (after `--param` overrides).
    public var recipeSnapshot: JSON
    /// Catalog name of the model (`GradientBoostingClassifier`).
    public var modelName: String
    public var hyperparameters: JSON
    /// Columns a prediction input must have, with their kinds.
    public var inputSchema: [SchemaField]
    public var entityColumns: [String]
    public var targetColumn: String?
    /// Matrix columns after preprocessing, in model order.
    public var featureColumns: [String]
    public var labels: LabelEncoding?
    public var preprocessor: FittedPreprocessor
    public var model: any TrainedModel
    public var metrics: JSON
    /// Trial history and best parameters when the recipe tuned.
    public var tuning: JSON?
    /// SHA-256 over the training rows as loaded.
    public var dataFingerprint: String
    public var jobID: String?
    public var createdAt: Double
    public var mmpVersion: String
    /// What the training data looked like, for drift reports at batch scoring (issue 12); nil
    /// in bundles made before it or when the recipe's `monitoring.enabled` is false.
    public var driftBaseline: DriftBaseline?

    public init(recipeName: String, task: MLTask, recipeSnapshot: JSON, modelName: String, hyperparameters: JSON,
                inputSchema: [SchemaField], entityColumns: [String], targetColumn: String?, featureColumns: [String],
                labels: LabelEncoding?, preprocessor: FittedPreprocessor, model: any TrainedModel, metrics: JSON,
                tuning: JSON?, dataFingerprint: String, jobID: String?, createdAt: Double = Timestamp.now(),
                mmpVersion: String = MMPVersion.current) {
        self.recipeName = recipeName; self.task = task; self.recipeSnapshot = recipeSnapshot; self.modelName = modelName
        self.hyperparameters = hyperparameters; self.inputSchema = inputSchema; self.entityColumns = entityColumns
        self.targetColumn = targetColumn; self.featureColumns = featureColumns; self.labels = labels
        self.preprocessor = preprocessor; self.model = model; self.metrics = metrics; self.tuning = tuning
        self.dataFingerprint = dataFingerprint; self.jobID = jobID; self.createdAt = createdAt; self.mmpVersion = mmpVersion
    }

    /// Everything but the fitted parts, as JSON (also what `mmp models show` prints).
    public var metadata: JSON {
        var o = JSONObject()
        o["format_version"] = .int(Int(ModelBundle.formatVersion))
        o["recipe"] = .string(recipeName)
        o["task"] = .string(task.rawValue)
        o["model"] = .string(modelName)
        o["model_type"] = .string(type(of: model).typeName)
        o["hyperparameters"] = hyperparameters
        o["input_schema"] = .array(inputSchema.map { .object(JSONObject([("name", .string($0.name)), ("kind", .string($0.kind.rawValue))])) })
        o["entity_columns"] = .array(entityColumns.map(JSON.string))
        o["target_column"] = targetColumn.map(JSON.string) ?? .null
        o["feature_columns"] = .array(featureColumns.map(JSON.string))
        o["classes"] = labels.map { .array($0.classes.map(JSON.string)) } ?? .null
        o["metrics"] = metrics
        o["tuning"] = tuning ?? .null
        o["data_fingerprint"] = .string(dataFingerprint)
        o["job_id"] = jobID.map(JSON.string) ?? .null
        o["created_at"] = .string(Timestamp.iso8601(createdAt))
        o["mmp_version"] = .string(mmpVersion)
        o["recipe_snapshot"] = recipeSnapshot
        if let driftBaseline { o["drift_baseline"] = driftBaseline.json }
        if let importances = model.featureImportances, importances.count == featureColumns.count {
            o["feature_importances"] = .object(JSONObject(zip(featureColumns, importances).map { ($0, .double($1)) }))
        }
        return .object(o)
    }
}

public struct SchemaField: Sendable, Equatable {
    public var name: String
    public var kind: ColumnKind
    public init(name: String, kind: ColumnKind) { self.name = name; self.kind = kind }
}
