import MMPArtifacts
import MMPConfig
import MMPCore
import MMPLearn
import MMPTracking

/// A storage that can keep a bundle inside a tracking run: the pipeline hands it the open run.
public protocol RunArtifactStorage: ArtifactStorage {
    func store(_ bytes: [UInt8], bundle: ModelBundle, jobID: String?, run: MLflowRun?) throws -> RunStoreOutcome
}

/// Where a bundle went, and why it went elsewhere when it did.
public struct RunStoreOutcome: Sendable {
    public var artifact: StoredArtifact
    /// The MLflow 3 logged model holding the bundle, when it is in MLflow.
    public var loggedModel: MLflowLoggedModel?
    /// Set when MLflow could not take the bundle and it was written to the fallback folder.
    public var fallbackReason: String?
}

/// Storage `mlflow`: bundles live in MLflow's artifact store, as logged models (`model.mmpb` and
/// an `MLmodel` file), reached through the server's artifact proxy. With a tracking run the
/// artifact is `runs:/<run_id>/model`; without one, `models:/<model id>`.
///
/// MLflow down never loses a model: after the client's retries the bundle is written under
/// `adapters.mlflow.fallback_root` (default ./artifacts) and the outcome says why.
public struct MLflowStorage: RunArtifactStorage {
    public let client: MLflowClient
    public let experimentName: String
    public let fallback: FilesystemStorage

    public init(config: AppConfig) throws {
        let file = config.files.last ?? "the config"
        let settings = try TrackingSettings(section: try config.section("tracking"), file: file)
        guard let client = try settings.client(environment: config.environment) else {
            throw MMPError(.invalidConfig, "\(file): data_adapters.storage is mlflow but tracking.type is none; set tracking.type: mlflow and tracking.tracking_uri (MLFLOW_TRACKING_URI)")
        }
        self.client = client
        experimentName = settings.experimentName
        fallback = try FilesystemStorage(root: try config.string(at: "adapters.mlflow.fallback_root") ?? "./artifacts")
    }

    public func store(_ bytes: [UInt8], recipe: String, jobID: String?) throws -> StoredArtifact {
        let bundle = try BundleCodec.decode(bytes)
        return try store(bytes, bundle: bundle, jobID: jobID, run: nil).artifact
    }

    public func store(_ bytes: [UInt8], bundle: ModelBundle, jobID: String?, run: MLflowRun?) throws -> RunStoreOutcome {
        let sha = SHA256.hex(bytes)
        do {
            let experiment = try run?.experimentID ?? client.experimentID(named: experimentName)
            let upload = LoggedModelUpload(experimentID: experiment, runID: run?.runID, bytes: bytes, sha256: sha,
                                           modelType: bundle.modelName, inputs: MLflowStorage.inputs(bundle), outputs: MLflowStorage.outputs(bundle),
                                           tags: [("mmp.recipe", bundle.recipeName)] + (jobID.map { [("mmp.job_id", $0)] } ?? []),
                                           params: MLflowStorage.params(bundle))
            let model = try upload.perform(client)
            let uri = run.map { "runs:/\($0.runID)/\(LoggedModelUpload.modelName)" } ?? "models:/\(model.modelID)"
            return RunStoreOutcome(artifact: StoredArtifact(uri: uri, sha256: sha, bytes: bytes.count), loggedModel: model, fallbackReason: nil)
        } catch {
            let reason = MMPError.wrap(error).message
            let kept = try fallback.store(bytes, recipe: bundle.recipeName, jobID: jobID)
            return RunStoreOutcome(artifact: kept, loggedModel: nil, fallbackReason: "MLflow could not store the bundle (\(reason)); it was written to \(kept.uri) instead")
        }
    }

    public func fetch(_ uri: String) throws -> [UInt8] {
        let parsed = try ModelURI(uri)
        if case .file = parsed { return try fallback.fetch(uri) }
        let download = try MLflowModelSource.download(parsed, client: client)
        return download.bytes
    }

    /// The columns a bundle takes, in MLflow's schema types.
    public static func inputs(_ bundle: ModelBundle) -> [MLmodelFile.Column] {
        bundle.inputSchema.map { field in
            switch field.kind {
            case .numeric: return MLmodelFile.Column(name: field.name, type: "double")
            case .categorical: return MLmodelFile.Column(name: field.name, type: "string")
            case .timestamp: return MLmodelFile.Column(name: field.name, type: "datetime")
            }
        }
    }

    /// What `mmp predict` writes: `prediction`, and one probability per class for classifiers.
    public static func outputs(_ bundle: ModelBundle) -> [MLmodelFile.Column] {
        guard let labels = bundle.labels else { return [MLmodelFile.Column(name: "prediction", type: "double")] }
        return [MLmodelFile.Column(name: "prediction", type: "string")]
            + labels.classes.map { MLmodelFile.Column(name: "probability_\($0)", type: "double") }
    }

    /// The bundle's hyperparameters, as the logged model's params.
    public static func params(_ bundle: ModelBundle) -> [(String, String)] {
        (bundle.hyperparameters.objectValue ?? JSONObject()).map { ($0.key, $0.value.plainText) }
    }
}
