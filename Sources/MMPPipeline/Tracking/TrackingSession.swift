#if canImport(Glibc)
import Glibc
#endif
import MMPAdapters
import MMPArtifacts
import MMPConfig
import MMPCore
import MMPTracking

/// One training run's life in MLflow, under the failure policy (docs/tracking.md):
/// - the bundle is stored by the storage adapter before anything is logged;
/// - every call retries with backoff (`tracking.max_attempts`, `tracking.backoff`);
/// - when tracking still fails, the job goes on (and succeeds) with a warning, and its result
///   says `tracking.status: failed`; with `tracking.required: true` the job fails instead;
/// - after the first failure nothing more is sent (a down server is not waited on twice).
///
/// Used by one thread, the pipeline's.
public final class TrackingSession: @unchecked Sendable {
    public let settings: TrackingSettings
    let client: MLflowClient
    let scrub: SecretScrubber
    let warn: @Sendable (String) -> Void
    public private(set) var run: MLflowRun?
    public private(set) var failure: String?
    private var runGuard: RunGuard?
    private var loggedModel: MLflowLoggedModel?
    private var registered: JSON?
    private var rows = 0, columns = 0
    private var bundle: ModelBundle?
    private var bundleBytes: [UInt8]?

    init(settings: TrackingSettings, client: MLflowClient, scrub: SecretScrubber, warn: @escaping @Sendable (String) -> Void) {
        self.settings = settings; self.client = client; self.scrub = scrub; self.warn = warn
    }

    /// Opens the run (nil when `tracking.type` is none). With tracking required, a server that
    /// cannot be reached fails the job here, before any training.
    public static func open(config: AppConfig, recipe: Recipe, jobID: String?, request: TrackingRequest,
                            warn: @escaping @Sendable (String) -> Void) throws -> TrackingSession? {
        let file = config.files.last ?? "the config"
        let settings = try TrackingSettings(section: try config.section("tracking"), file: file)
        guard let client = try settings.client(environment: config.environment) else {
            if request.registerName != nil {
                throw MMPError(.invalidConfig, "--register needs MLflow, but \(file) sets tracking.type: none (APP_ENV=\(config.env)); use an environment with tracking (APP_ENV=dev)")
            }
            return nil
        }
        let session = TrackingSession(settings: settings, client: client, scrub: SecretScrubber(environment: config.environment), warn: warn)
        var request = request
        if let jobID, request.worker == nil || request.queue == nil, let record = JobContext.record(jobID, config: config) {
            if request.worker == nil, !record.worker.isEmpty { request.worker = record.worker }
            if request.queue == nil, !record.queue.isEmpty { request.queue = record.queue }
        }
        try session.start(recipe: recipe, jobID: jobID, request: request, env: config.env)
        return session
    }

    private func start(recipe: Recipe, jobID: String?, request: TrackingRequest, env: String) throws {
        let environment = ProcessEnvironment.current()
        let user = environment["MLFLOW_TRACKING_USERNAME"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "mmp"
        let now = Timestamp.now()
        try attempt("start a run") {
            let experiment = try client.experimentID(named: settings.experimentName)
            run = try client.createRun(experimentID: experiment, name: RunContent.runName(recipe: recipe, jobID: jobID, now: now),
                                       user: user, startTimeMillis: Int(now * 1000),
                                       tags: scrubbed(RunContent.startTags(recipe: recipe, jobID: jobID, request: request, env: env, user: user)))
        }
        if let run, let executable = request.guardExecutable {
            runGuard = RunGuard.start(executable: executable, runID: run.runID, jobID: jobID, request: request, warn: warn)
        }
    }

    /// Rows and columns as loaded.
    func dataLoaded(rows: Int, columns: Int) { self.rows = rows; self.columns = columns }

    /// Stores the bundle: into the run when the storage keeps bundles in MLflow, else as the
    /// storage does; the bundle is kept for the logged model.
    func store(_ bytes: [UInt8], bundle: ModelBundle, jobID: String?, storage: any ArtifactStorage) throws -> StoredArtifact {
        self.bundle = bundle
        bundleBytes = bytes
        guard let runStorage = storage as? any RunArtifactStorage else { return try storage.store(bytes, recipe: bundle.recipeName, jobID: jobID) }
        let outcome = try runStorage.store(bytes, bundle: bundle, jobID: jobID, run: failure == nil ? run : nil)
        loggedModel = outcome.loggedModel
        if let reason = outcome.fallbackReason { try attempt("store the bundle") { throw MMPError(.connection, reason) } }
        return outcome.artifact
    }

    /// Logs everything about a finished run and ends it FINISHED; returns the result's
    /// `tracking` object. Throws only when tracking is required and failed.
    func finish(recipe: Recipe, input: TrainingInput, result: TrainResult, config: AppConfig) throws -> JSON {
        defer { runGuard?.release(); runGuard = nil }
        if let run, failure == nil {
            try attempt("log the run") {
                let content = RunContent(recipe: recipe, result: result, rows: rows, columns: columns, timestampMillis: Int(Timestamp.now() * 1000))
                var batch = content.batch
                batch.params = scrubbed(batch.params)
                batch.tags = scrubbed(batch.tags)
                try client.logBatch(run.runID, batch)
                try uploadRunArtifacts(run, recipe: recipe, input: input, result: result, config: config)
                let model = try loggedModel ?? uploadModel(run, jobID: input.jobID)
                loggedModel = model
                try client.logOutputs(run.runID, modelID: model.modelID)
                try client.logBatch(run.runID, RunBatch(tags: [("mmp.model_id", model.modelID)]))
                if let name = input.tracking.registerName { try register(name, alias: input.tracking.registerAlias, model: model, run: run, jobID: input.jobID) }
                try client.endRun(run.runID, status: .finished, endTimeMillis: Int(Timestamp.now() * 1000))
            }
        }
        return outcome
    }

    /// Ends the run FAILED (KILLED when the error is a cancellation) with the error as a tag.
    func fail(_ error: any Error) {
        defer { runGuard?.release(); runGuard = nil }
        guard let run else { return }
        let e = MMPError.wrap(error)
        let once = client.withRetry(RetryPolicy(maxAttempts: 2, base: 0.2, cap: 0.5))
        do {
            try once.logBatch(run.runID, RunBatch(tags: [("mmp.error", scrub.scrub(e.message)), ("mmp.error_kind", e.kind.rawValue)]))
            try once.endRun(run.runID, status: e.kind == .cancelled ? .killed : .failed, endTimeMillis: Int(Timestamp.now() * 1000))
        } catch {
            warn("tracking: could not mark run \(run.runID) failed: \(scrub.scrub(MMPError.wrap(error).message))")
        }
    }

    /// The result's `tracking` object.
    public var outcome: JSON {
        var o = JSONObject()
        o["status"] = .string(failure == nil ? "tracked" : "failed")
        o["server"] = .string(client.display)
        if let run {
            o["experiment_id"] = .string(run.experimentID)
            o["run_id"] = .string(run.runID)
            o["run_uri"] = .string("runs:/\(run.runID)/\(LoggedModelUpload.modelName)")
        }
        if let loggedModel { o["model_id"] = .string(loggedModel.modelID) }
        if let registered { o["registered"] = registered }
        if let failure { o["error"] = .string(failure) }
        return .object(o)
    }

    // MARK: Steps

    private func uploadRunArtifacts(_ run: MLflowRun, recipe: Recipe, input: TrainingInput, result: TrainResult, config: AppConfig) throws {
        func put(_ path: String, _ text: String) throws {
            try client.uploadArtifact(root: run.artifactURI, path: path, bytes: Array(scrub.scrub(text).utf8))
        }
        if let text = input.tracking.recipeText { try put("recipe.yaml", text) }
        try put("recipe_snapshot.json", recipe.snapshot.prettySerialized() + "\n")
        if let sql = input.sqlText { try put("query.sql", sql) }
        try put("config.json", config.redacted().prettySerialized() + "\n")
        try put("result.json", result.json.prettySerialized() + "\n")
    }

    private func uploadModel(_ run: MLflowRun, jobID: String?) throws -> MLflowLoggedModel {
        guard let bundle, let bytes = bundleBytes else { throw MMPError.internalError("no bundle to log") }
        return try LoggedModelUpload(experimentID: run.experimentID, runID: run.runID, bytes: bytes, sha256: SHA256.hex(bytes),
                                     modelType: bundle.modelName, inputs: MLflowStorage.inputs(bundle), outputs: MLflowStorage.outputs(bundle),
                                     tags: scrubbed([("mmp.recipe", bundle.recipeName)] + (jobID.map { [("mmp.job_id", $0)] } ?? [])),
                                     params: scrubbed(MLflowStorage.params(bundle))).perform(client)
    }

    private func register(_ name: String, alias: String?, model: MLflowLoggedModel, run: MLflowRun, jobID: String?) throws {
        try client.ensureRegisteredModel(name)
        var tags = [(LoggedModelUpload.checksumTag, SHA256.hex(bundleBytes ?? []))]
        if let jobID { tags.append(("mmp.job_id", jobID)) }
        let version = try client.createModelVersion(name: name, modelID: model.modelID, runID: run.runID, tags: tags)
        if let alias { try client.setAlias(name: name, alias: alias, version: version.version) }
        var o = JSONObject()
        o["name"] = .string(name)
        o["version"] = .string(version.version)
        o["uri"] = .string("models:/\(name)/\(version.version)")
        if let alias { o["alias"] = .string(alias); o["alias_uri"] = .string("models:/\(name)@\(alias)") }
        registered = .object(o)
    }

    /// Runs one tracking step under the failure policy. After a failure, later steps are skipped.
    private func attempt(_ what: String, _ body: () throws -> Void) throws {
        guard failure == nil else { return }
        do {
            try body()
        } catch {
            let e = MMPError.wrap(error)
            let message = scrub.scrub(e.message)
            failure = "could not \(what): \(message)"
            if settings.required {
                throw MMPError(e.kind.isRetryable ? e.kind : .invalidConfig,
                               "tracking failed and the config requires it (tracking.required: true): could not \(what): \(message)")
            }
            warn("warning: tracking failed, the job goes on without it: could not \(what): \(message)\n")
        }
    }

    private func scrubbed(_ pairs: [(String, String)]) -> [(String, String)] { pairs.map { ($0.0, scrub.scrub($0.1)) } }
}
