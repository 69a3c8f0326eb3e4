import MMPCore

/// The config's `tracking:` section (docs/tracking.md).
///
/// ```yaml
/// tracking:
///   type: mlflow              # or none
///   tracking_uri: ${MLFLOW_TRACKING_URI}
///   experiment_name: mmp
///   required: false           # true: a job whose tracking fails, fails
///   request_timeout: 30s
///   max_attempts: 4           # per call, with backoff between tries
///   backoff: {base: 500ms, cap: 5s}
/// ```
public struct TrackingSettings: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case mlflow, none }

    public var kind: Kind
    public var trackingURI: String
    public var experimentName: String
    public var required: Bool
    public var requestTimeout: Double
    public var retry: RetryPolicy

    public static let disabled = TrackingSettings(kind: .none, trackingURI: "", experimentName: "mmp", required: false,
                                                  requestTimeout: 30, retry: RetryPolicy())

    public init(kind: Kind, trackingURI: String, experimentName: String, required: Bool, requestTimeout: Double, retry: RetryPolicy) {
        self.kind = kind; self.trackingURI = trackingURI; self.experimentName = experimentName; self.required = required
        self.requestTimeout = requestTimeout; self.retry = retry
    }

    /// Reads the interpolated section; `file` names the config in messages.
    public init(section: JSON, file: String) throws {
        func fail(_ field: String, _ message: String) -> MMPError {
            MMPError(.invalidConfig, "\(file): tracking.\(field) \(message)")
        }
        let typeText = section["type"]?.plainText.trimmed().lowercased() ?? "none"
        guard let kind = Kind(rawValue: typeText.isEmpty ? "none" : typeText) else {
            throw fail("type", "is '\(typeText)'; known: \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.kind = kind
        trackingURI = section["tracking_uri"].map { $0.isNull ? "" : $0.plainText.trimmed() } ?? ""
        experimentName = section["experiment_name"]?.plainText.trimmed() ?? "mmp"
        if experimentName.isEmpty { throw fail("experiment_name", "is empty") }
        switch section["required"] {
        case nil, .null?: required = false
        case .bool(let b)?: required = b
        default: throw fail("required", "must be true or false")
        }
        func duration(_ field: String, _ value: JSON?, _ fallback: Double) throws -> Double {
            guard let value, !value.isNull else { return fallback }
            do { return try DurationParser.seconds(value.plainText) } catch { throw fail(field, "is not a duration (30s, 500ms): \(value.plainText)") }
        }
        requestTimeout = try duration("request_timeout", section["request_timeout"], 30)
        let attempts = section["max_attempts"]?.intValue ?? 4
        guard attempts >= 1 else { throw fail("max_attempts", "must be at least 1") }
        retry = RetryPolicy(maxAttempts: attempts, base: try duration("backoff.base", section["backoff"]?["base"], 0.5),
                            cap: try duration("backoff.cap", section["backoff"]?["cap"], 5))
        if kind == .mlflow, trackingURI.isEmpty {
            throw fail("tracking_uri", "is empty but tracking.type is mlflow; set MLFLOW_TRACKING_URI (e.g. http://127.0.0.1:5000) or tracking.type: none")
        }
    }

    /// A client for the configured server with credentials from `environment`; nil when tracking is off.
    public func client(environment: ProcessEnvironment) throws -> MLflowClient? {
        guard kind == .mlflow else { return nil }
        return try MLflowClient(trackingURI: trackingURI, credentials: MLflowCredentials(environment: environment),
                                timeout: requestTimeout, retry: retry)
    }
}
