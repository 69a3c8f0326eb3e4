import MMPAdapters
import MMPCore

/// What a training run produced: the metrics on the held-out split, details, and the stored bundle.
public struct TrainResult: Sendable {
    public var recipe: String
    public var task: MLTask
    public var model: String
    /// Metric name → value on the test split (the validation split when there is no test split).
    public var metrics: JSONObject
    /// Rows per split, validation metrics, per-class figures, model summary, tuning, importances.
    public var details: JSONObject
    public var artifact: StoredArtifact
    /// Where the run went in MLflow (`status` tracked | failed, `run_id`, `model_id`, ...);
    /// nil when tracking is off.
    public var tracking: JSON?

    /// The `mmp train --json` object, also stored as a job's result.
    public var json: JSON {
        var o = JSONObject()
        o["recipe"] = .string(recipe)
        o["metrics"] = .object(metrics)
        o["artifact"] = artifact.json
        o["task"] = .string(task.rawValue)
        o["model"] = .string(model)
        o["details"] = .object(details)
        if let tracking { o["tracking"] = tracking }
        return .object(o)
    }
}
