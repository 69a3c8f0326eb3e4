import Foundation
import MMPArtifacts
import MMPConfig
import MMPCore
import MMPTracking

/// The one place a model reference becomes a verified model bundle, for every command that
/// loads one (`mmp predict`, `mmp serve`, batch scoring): a path, `file://`, `runs:/<run_id>/model`,
/// `models:/<name>/<version>`, `models:/<name>@<alias>` or `models:/<model id>`.
///
/// MLflow references are resolved on the server of the config's `tracking:` section (or of
/// `MLFLOW_TRACKING_URI` when the config tracks nothing); the downloaded bytes must match the
/// SHA-256 recorded when the bundle was logged, and then pass the bundle's own checksum and
/// format checks, like a file.
public struct ModelLocator: Sendable {
    /// A loaded bundle and where it came from.
    public struct Located: Sendable {
        public var bundle: ModelBundle
        /// The reference as given.
        public var reference: String
        /// What it resolved to ("logged model m-… of run …", or the file path).
        public var resolved: String
        public var sha256: String
        public var bytes: Int
    }

    private let config: @Sendable () throws -> AppConfig
    private let environment: ProcessEnvironment

    /// - Parameter config: read only for MLflow references.
    public init(environment: ProcessEnvironment, config: @escaping @Sendable () throws -> AppConfig) {
        self.environment = environment
        self.config = config
    }

    /// The locator of a workspace and environment (`--env`).
    public init(workspace: Workspace, env: String? = nil) {
        self.init(environment: workspace.environment, config: { try workspace.config(env: env) })
    }

    public func load(_ reference: String) throws -> Located {
        let (bytes, resolved) = try fetch(reference)
        let bundle = try BundleCodec.decode(bytes, source: reference)
        return Located(bundle: bundle, reference: reference, resolved: resolved, sha256: SHA256.hex(bytes), bytes: bytes.count)
    }

    /// The bundle's bytes, checked against MLflow's recorded SHA-256 when they came from MLflow.
    public func fetch(_ reference: String) throws -> (bytes: [UInt8], resolved: String) {
        let uri = try ModelURI(reference)
        if case .file(let path) = uri {
            guard let data = FileManager.default.contents(atPath: path) else { throw MMPError.notFound("no model bundle at \(path)") }
            return ([UInt8](data), path)
        }
        let client = try mlflowClient(for: uri)
        let download = try MLflowModelSource.download(uri, client: client)
        let actual = SHA256.hex(download.bytes)
        if let expected = download.expectedSHA256, expected.lowercased() != actual {
            throw MMPError.corrupt("\(reference) (\(download.resolved)) failed its checksum after download: SHA-256 \(actual.prefix(16))…, MLflow records \(expected.prefix(16))…; the stored copy is damaged or was replaced")
        }
        return (download.bytes, download.resolved)
    }

    func mlflowClient(for uri: ModelURI) throws -> MLflowClient {
        let config = try self.config()
        let file = config.files.last ?? "the config"
        var settings = try TrackingSettings(section: try config.section("tracking"), file: file)
        if settings.kind == .none {
            guard let fromEnvironment = environment["MLFLOW_TRACKING_URI"], !fromEnvironment.isEmpty else {
                throw MMPError(.invalidConfig, "\(uri.description) is a model in MLflow, but \(file) sets tracking.type: none and MLFLOW_TRACKING_URI is not set; set MLFLOW_TRACKING_URI or use an environment with tracking (APP_ENV=dev)")
            }
            settings.kind = .mlflow
            settings.trackingURI = fromEnvironment
        }
        guard let client = try settings.client(environment: environment) else { throw MMPError.internalError("no MLflow client") }
        return client
    }
}
