import MMPAdapters
import MMPArtifacts
import MMPConfig
import MMPCore
import MMPLearn

/// What one training run needs besides the config.
public struct TrainingInput: Sendable {
    public var recipe: Recipe
    /// The text of the recipe's `.sql` file, embedded in jobs at submit.
    public var sqlText: String?
    public var recipeDirectory: String?
    public var jobID: String?
    /// Where the run came from and whether to register the model (used when tracking is on).
    public var tracking: TrackingRequest

    public init(recipe: Recipe, sqlText: String? = nil, recipeDirectory: String? = nil, jobID: String? = nil,
                tracking: TrackingRequest = TrackingRequest()) {
        self.recipe = recipe; self.sqlText = sqlText; self.recipeDirectory = recipeDirectory; self.jobID = jobID
        self.tracking = tracking
    }
}

/// Runs a recipe end to end: load → fetch → split → preprocess → fit (tune) → evaluate → save.
/// The same code runs for `mmp train` and inside a worker's child process.
public struct TrainPipeline: Sendable {
    public let config: AppConfig
    public let registry: AdapterRegistry

    public init(config: AppConfig, registry: AdapterRegistry = .standard) {
        self.config = config
        self.registry = registry
    }

    /// With `tracking.type: mlflow` the run is tracked in MLflow (TrackingSession: the bundle is
    /// stored first, tracking failures do not fail the job unless `tracking.required`).
    public func run(_ input: TrainingInput, events: TrainingEvents = .silent) throws -> TrainResult {
        try RecipeValidator.validate(input.recipe)
        let tracking = try TrackingSession.open(config: config, recipe: input.recipe, jobID: input.jobID, request: input.tracking,
                                                warn: events.warning)
        do {
            var result = try train(input, events: events, tracking: tracking)
            if let tracking {
                do {
                    result.tracking = try tracking.finish(recipe: input.recipe, input: input, result: result, config: config)
                } catch {
                    let e = MMPError.wrap(error)
                    throw MMPError(e.kind, "\(e.message) (the model was stored at \(result.artifact.uri), sha256 \(result.artifact.sha256))")
                }
            }
            return result
        } catch {
            tracking?.fail(error)
            throw error
        }
    }

    private func train(_ input: TrainingInput, events: TrainingEvents, tracking: TrackingSession?) throws -> TrainResult {
        let recipe = input.recipe
        let run = StageRunner(events: events)

        // Load.
        var table = try run.stage(.load) { () throws -> (Table, String) in
            let loader = try registry.loader(for: config)
            let request = LoadRequest(sourceURI: recipe.data.loader.sourceURI, sqlText: input.sqlText,
                                      parameters: recipe.data.loader.parameters, recipeDirectory: input.recipeDirectory,
                                      columns: LoadColumns.needed(by: recipe))
            let t = try loader.load(request)
            return (t, "\(t.rowCount) rows, \(t.columns.count) columns from \(recipe.data.loader.sourceURI)")
        }
        guard table.rowCount > 0 else { throw MMPError.invalidData("\(recipe.data.loader.sourceURI) returned no rows") }

        // Fetch features.
        if recipe.data.fetcher.kind == .featureStore {
            table = try run.stage(.fetch) { () throws -> (Table, String) in
                guard let store = try registry.featureStore(for: config) else {
                    throw MMPError(.invalidConfig, "the recipe joins features from a feature store, but \(config.files.last ?? "the config") sets data_adapters.feature_store to none; use an environment with a feature store (APP_ENV=dev)")
                }
                let request = FeatureRequest(views: recipe.data.fetcher.featureViews, entityColumns: recipe.data.dataInterface.entityColumns,
                                             timestampColumn: recipe.data.fetcher.timestampColumn ?? "")
                let before = table.columns.count
                let joined = try store.joinOffline(table, request: request)
                return (joined, "\(joined.columns.count - before) features joined point-in-time from \(recipe.data.fetcher.featureViews.map(\.name).joined(separator: ", "))")
            }
        }
        let fingerprint = DataFingerprint.of(table)
        tracking?.dataLoaded(rows: table.rowCount, columns: table.columns.count)
        if recipe.task == .timeseries {
            let storage = try registry.storage(for: config)
            return try TimeSeriesTraining(recipe: recipe, input: input, events: events, store: { bytes, bundle in
                try tracking?.store(bytes, bundle: bundle, jobID: input.jobID, storage: storage)
                    ?? storage.store(bytes, recipe: recipe.name, jobID: input.jobID)
            }).run(table: table, fingerprint: fingerprint, stages: run)
        }
        let roles = try ColumnRoles(recipe: recipe, table: table)

        // Split.
        let prepared = try run.stage(.split) { () throws -> (PreparedSplits, String) in
            let p = try PreparedSplits(recipe: recipe, table: table, roles: roles)
            return (p, p.summary)
        }

        // Preprocess.
        let processed = try run.stage(.preprocess) { () throws -> (ProcessedSplits, String) in
            let p = try ProcessedSplits(recipe: recipe, splits: prepared, roles: roles)
            return (p, "\(recipe.preprocessor.count) step\(recipe.preprocessor.count == 1 ? "" : "s"), \(roles.features.count) input → \(p.featureNames.count) model features")
        }

        // Fit, tuning first when asked.
        let fitted = try run.stage(.fit) { () throws -> (FittedModel, String) in
            let f = try ModelFitter(recipe: recipe, data: processed, events: events, labels: prepared.labels?.classes).fit()
            return (f, f.summary)
        }

        // Evaluate.
        var evaluation = try run.stage(.evaluate) { () throws -> (Evaluation, String) in
            let e = try Evaluation(recipe: recipe, data: processed, model: fitted.model, labels: prepared.labels?.classes)
            return (e, e.metrics.map { "\($0.key) \(formatMetric($0.value))" }.joined(separator: ", "))
        }
        // Tuning's best validation score sits beside the test metrics (bundle, job record).
        if let tuning = fitted.tuning, let metric = tuning["metric"]?.stringValue, let best = tuning["best_score"] {
            evaluation.metrics["tuning_best_\(metric)"] = best
        }

        // Save.
        let artifact = try run.stage(.save) { () throws -> (StoredArtifact, String) in
            var bundle = ModelBundle(
                recipeName: recipe.name, task: recipe.task, recipeSnapshot: recipe.snapshot, modelName: fitted.descriptor.name,
                hyperparameters: fitted.hyperparameters.json,
                inputSchema: roles.features.map { SchemaField(name: $0, kind: table.column($0)!.kind) },
                entityColumns: roles.entities, targetColumn: roles.target, featureColumns: processed.featureNames,
                labels: prepared.labels, preprocessor: processed.preprocessor, model: fitted.model,
                metrics: .object(evaluation.metrics), tuning: fitted.tuning, dataFingerprint: fingerprint, jobID: input.jobID)
            if recipe.monitoring.enabled {
                bundle.driftBaseline = try BatchScoring.baseline(bundle, train: prepared.train, test: prepared.test, features: roles.features)
            }
            let bytes = try BundleCodec.encode(bundle)
            let storage = try registry.storage(for: config)
            let stored = try tracking?.store(bytes, bundle: bundle, jobID: input.jobID, storage: storage)
                ?? storage.store(bytes, recipe: recipe.name, jobID: input.jobID)
            return (stored, "\(stored.bytes) bytes → \(stored.uri)")
        }

        var details = JSONObject()
        details["rows"] = .object(prepared.rowCounts)
        if !evaluation.validationMetrics.isEmpty { details["validation_metrics"] = .object(evaluation.validationMetrics) }
        if let perClass = evaluation.perClass?.arrayValue, let labels = prepared.labels {
            // Name each class by its label, as users wrote it in the target column.
            details["per_class"] = .array(perClass.map { row in
                var o = row.objectValue ?? JSONObject()
                if let i = o["class_index"]?.intValue, i < labels.classes.count { o["class"] = .string(labels.classes[i]) }
                return .object(o)
            })
        }
        details["hyperparameters"] = fitted.hyperparameters.json
        if !fitted.model.summary.isEmpty { details["model_summary"] = .object(fitted.model.summary) }
        if let tuning = fitted.tuning { details["tuning"] = tuning }
        if let importances = fitted.model.featureImportances, importances.count == processed.featureNames.count {
            let top = zip(processed.featureNames, importances).sorted { $0.1 > $1.1 }.prefix(20)
            details["feature_importances"] = .object(JSONObject(top.map { ($0.0, JSON.double($0.1)) }))
        }
        details["data_fingerprint"] = .string(fingerprint)
        return TrainResult(recipe: recipe.name, task: recipe.task, model: fitted.descriptor.name, metrics: evaluation.metrics,
                           details: details, artifact: artifact)
    }
}

/// Metric values as printed: four decimals.
public func formatMetric(_ value: JSON) -> String {
    guard let d = value.doubleValue else { return value.plainText }
    let scaled = (d * 10000).rounded() / 10000
    var s = "\(scaled)"
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < 4, !s.contains("e") { s += String(repeating: "0", count: 4 - decimals) }
    }
    return s
}

/// Wraps each stage with its start/finish events and timing.
struct StageRunner {
    let events: TrainingEvents

    func stage<T>(_ stage: TrainingStage, _ body: () throws -> (T, String)) throws -> T {
        if events.isCancelled() { throw MMPError(.cancelled, "training was cancelled before \(stage.rawValue)") }
        events.stageStarted(stage)
        events.progress(stage.overall(0), stage)
        let start = Timestamp.monotonic()
        let (value, summary) = try body()
        events.progress(stage.overall(1), stage)
        events.stageFinished(stage, summary, Timestamp.monotonic() - start)
        return value
    }
}
