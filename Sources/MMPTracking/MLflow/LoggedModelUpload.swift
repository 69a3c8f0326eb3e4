import MMPCore

/// Stores a model bundle as an MLflow 3 logged model: create it (PENDING), upload its files
/// through the artifact proxy (`model.mmpb`, `MLmodel`), mark it READY. With a source run, the
/// model is called `model` and linked to the run, so `runs:/<run_id>/model` resolves in MLflow's
/// own clients as in mmp. A failed upload marks the model UPLOAD_FAILED (best effort) and throws.
public struct LoggedModelUpload: Sendable {
    public static let bundleFile = "model.mmpb"
    public static let modelName = "model"
    /// The tag (on the logged model, the run and registered versions) holding the bundle's SHA-256.
    public static let checksumTag = "mmp.bundle_sha256"

    public var experimentID: String
    public var runID: String?
    public var bytes: [UInt8]
    public var sha256: String
    public var modelType: String
    public var inputs: [MLmodelFile.Column]
    public var outputs: [MLmodelFile.Column]
    public var tags: [(String, String)]
    public var params: [(String, String)]

    public init(experimentID: String, runID: String?, bytes: [UInt8], sha256: String, modelType: String,
                inputs: [MLmodelFile.Column], outputs: [MLmodelFile.Column], tags: [(String, String)], params: [(String, String)]) {
        self.experimentID = experimentID; self.runID = runID; self.bytes = bytes; self.sha256 = sha256; self.modelType = modelType
        self.inputs = inputs; self.outputs = outputs; self.tags = tags; self.params = params
    }

    public func perform(_ client: MLflowClient) throws -> MLflowLoggedModel {
        let model = try client.createLoggedModel(experimentID: experimentID, name: LoggedModelUpload.modelName, sourceRunID: runID,
                                                 modelType: modelType, tags: tags + [(LoggedModelUpload.checksumTag, sha256)], params: params)
        do {
            try client.uploadArtifact(root: model.artifactURI, path: LoggedModelUpload.bundleFile, bytes: bytes)
            let mlmodel = MLmodelFile.render(bundleFile: LoggedModelUpload.bundleFile, bundleSHA256: sha256, modelType: modelType,
                                             inputs: inputs, outputs: outputs, runID: runID, modelID: model.modelID,
                                             createdAt: Timestamp.iso8601(Timestamp.now()), mmpVersion: MMPVersion.current)
            try client.uploadArtifact(root: model.artifactURI, path: "MLmodel", bytes: Array(mlmodel.utf8))
            try client.finalizeLoggedModel(model.modelID, ready: true)
        } catch {
            try? client.withRetry(.once).finalizeLoggedModel(model.modelID, ready: false)
            throw error
        }
        return model
    }
}

/// Finds and downloads a bundle named by an MLflow model URI, and the SHA-256 MLflow recorded
/// for it (the logged model's `mmp.bundle_sha256` tag).
public enum MLflowModelSource {
    public struct Download: Sendable {
        public var bytes: [UInt8]
        public var expectedSHA256: String?
        /// What the URI resolved to, for messages ("logged model m-… of run …").
        public var resolved: String
    }

    public static func download(_ uri: ModelURI, client: MLflowClient) throws -> Download {
        let model: MLflowLoggedModel
        switch uri {
        case .file:
            throw MMPError.invalidInput("\(uri.description) is a file, not an MLflow model")
        case .loggedModel(let id):
            model = try client.getLoggedModel(id)
        case .run(let runID, let path):
            let run = try MLflowRun(info: try client.getRun(runID)["info"], server: client.display)
            let name = path.split(separator: "/").first.map(String.init) ?? path
            guard let found = try client.loggedModel(ofRun: runID, experimentID: run.experimentID, name: name) else {
                // Not a logged model: a bundle among the run's own artifacts.
                let file = path.hasSuffix(".mmpb") ? path : "\(path)/\(LoggedModelUpload.bundleFile)"
                let bytes = try client.downloadArtifact(root: run.artifactURI, path: file)
                let tags = try client.getRun(runID)["data"]?["tags"]?.arrayValue ?? []
                let sha = tags.first { $0["key"]?.stringValue == LoggedModelUpload.checksumTag }?["value"]?.stringValue
                return Download(bytes: bytes, expectedSHA256: sha, resolved: "\(file) of run \(runID)")
            }
            model = found
        case .registeredVersion(let name, let version):
            model = try loggedModel(of: try client.modelVersion(name: name, version: version), client: client)
        case .registeredAlias(let name, let alias):
            model = try loggedModel(of: try client.modelVersion(name: name, alias: alias), client: client)
        }
        guard model.status == "LOGGED_MODEL_READY" else {
            throw MMPError.notFound("logged model \(model.modelID) in \(client.display) is \(model.status), not ready: its upload did not finish")
        }
        let bytes = try client.downloadArtifact(root: model.artifactURI, path: LoggedModelUpload.bundleFile)
        return Download(bytes: bytes, expectedSHA256: model.tags[LoggedModelUpload.checksumTag],
                        resolved: "logged model \(model.modelID)\(model.sourceRunID.map { " of run \($0)" } ?? "")")
    }

    static func loggedModel(of version: MLflowModelVersion, client: MLflowClient) throws -> MLflowLoggedModel {
        if let id = version.modelID { return try client.getLoggedModel(id) }
        if case .loggedModel(let id)? = try? ModelURI(version.source) { return try client.getLoggedModel(id) }
        throw MMPError.notFound("version \(version.version) of '\(version.name)' points at \(version.source), which is not an mmp logged model")
    }
}
