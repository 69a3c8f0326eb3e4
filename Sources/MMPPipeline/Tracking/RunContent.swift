import MMPConfig
import MMPCore
import MMPTracking

/// What a finished training run logs to MLflow, computed from the recipe and the result: params
/// (hyperparameters used, the best ones when tuning; split; preprocessing steps; model class),
/// metrics (every evaluation metric, row and column counts, the tuning history as the series
/// `trial_score` with step = trial number, `best_score`, `total_trials`) and tags. Pure.
public struct RunContent: Sendable {
    public var batch: RunBatch

    public init(recipe: Recipe, result: TrainResult, rows: Int, columns: Int, timestampMillis now: Int) {
        var params: [(String, String)] = []
        for (name, value) in result.details["hyperparameters"]?.objectValue ?? JSONObject() { params.append((name, value.plainText)) }
        params.append(("model_class", recipe.model.classPath))
        params.append(("model", result.model))
        params.append(("task", recipe.task.rawValue))
        params.append(("data.source_uri", recipe.data.loader.sourceURI))
        let split = recipe.data.split
        params.append(("split.strategy", split.strategy.rawValue))
        params.append(("split.train", JSON.format(split.train)))
        params.append(("split.validation", JSON.format(split.validation)))
        params.append(("split.test", JSON.format(split.test)))
        if split.calibration > 0 { params.append(("split.calibration", JSON.format(split.calibration))) }
        params.append(("split.stratify", split.stratify ? "true" : "false"))
        if let column = split.temporalColumn { params.append(("split.temporal_column", column)) }
        params.append(("preprocessor.steps", recipe.preprocessor.map(\.type).joined(separator: ", ")))
        for (i, step) in recipe.preprocessor.enumerated() {
            var o = JSONObject()
            o["type"] = .string(step.type)
            if let columns = step.columns { o["columns"] = .array(columns.map(JSON.string)) }
            for (k, v) in step.options { o[k] = v }
            params.append(("preprocessor.step_\(i + 1)", JSON.object(o).serialized()))
        }
        if let calibration = recipe.model.calibrationMethod { params.append(("calibration", calibration)) }

        var metrics: [MetricPoint] = []
        for (name, value) in result.metrics {
            if let d = value.doubleValue { metrics.append(MetricPoint(key: name, value: d, timestampMillis: now)) }
        }
        for (name, value) in result.details["validation_metrics"]?.objectValue ?? JSONObject() {
            if let d = value.doubleValue { metrics.append(MetricPoint(key: "validation_\(name)", value: d, timestampMillis: now)) }
        }
        metrics.append(MetricPoint(key: "row_count", value: Double(rows), timestampMillis: now))
        metrics.append(MetricPoint(key: "column_count", value: Double(columns), timestampMillis: now))
        if let tuning = result.details["tuning"] {
            params.append(("tuning.metric", tuning["metric"]?.plainText ?? ""))
            params.append(("tuning.direction", tuning["direction"]?.plainText ?? ""))
            params.append(("tuning.n_trials", String(recipe.model.hyperparameters.nTrials)))
            let trials = tuning["trials"]?.arrayValue ?? []
            for trial in trials {
                if let n = trial["number"]?.intValue, let score = trial["score"]?.doubleValue {
                    metrics.append(MetricPoint(key: "trial_score", value: score, timestampMillis: now, step: n))
                }
            }
            if let best = tuning["best_score"]?.doubleValue { metrics.append(MetricPoint(key: "best_score", value: best, timestampMillis: now)) }
            metrics.append(MetricPoint(key: "total_trials", value: Double(tuning["trials_run"]?.intValue ?? trials.count), timestampMillis: now))
        }
        var tags: [(String, String)] = [("mmp.artifact_uri", result.artifact.uri), (LoggedModelUpload.checksumTag, result.artifact.sha256)]
        if let fingerprint = result.details["data_fingerprint"]?.stringValue { tags.append(("mmp.data_fingerprint", fingerprint)) }
        batch = RunBatch(params: params, metrics: metrics, tags: tags)
    }

    /// The tags a run starts with.
    public static func startTags(recipe: Recipe, jobID: String?, request: TrackingRequest, env: String, user: String) -> [(String, String)] {
        var tags: [(String, String)] = [
            ("mlflow.source.name", recipe.file.isEmpty ? recipe.name : recipe.file),
            ("mlflow.source.type", "JOB"),
            ("mlflow.user", user),
            ("mmp.recipe", recipe.name),
            ("mmp.env", env),
            ("mmp.version", MMPVersion.current),
            ("mmp.task", recipe.task.rawValue),
        ]
        if let jobID { tags.append(("mmp.job_id", jobID)) }
        if let queue = request.queue { tags.append(("mmp.queue", queue)) }
        if let worker = request.worker { tags.append(("mmp.worker", worker)) }
        return tags
    }

    /// `<recipe>-<job id>`, or `<recipe>-<UTC time>` for `mmp train`.
    public static func runName(recipe: Recipe, jobID: String?, now: Double) -> String {
        let stamp = Timestamp.iso8601(now).prefix(19).replacing(":", with: "").replacing("-", with: "")
        return "\(recipe.name)-\(jobID ?? String(stamp))"
    }
}
