import Foundation
import MMPCore

/// An error answer of the MLflow REST API: `{"error_code": "...", "message": "..."}`.
public struct MLflowAPIError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    public var description: String { "\(code) (HTTP \(status)): \(message)" }

    public var isNotFound: Bool { code == "RESOURCE_DOES_NOT_EXIST" || status == 404 }
    public var isAlreadyExists: Bool { code == "RESOURCE_ALREADY_EXISTS" }
}

/// A client of one MLflow tracking server's REST API (`/api/2.0/mlflow/...`, the artifact proxy
/// `/api/2.0/mlflow-artifacts/...`). Blocking; every call is retried with backoff on connection
/// errors, timeouts, 429 and 5xx answers, and never on other 4xx answers.
///
/// Credentials go in the `Authorization` header only; messages name the server by its address
/// without any credentials.
public struct MLflowClient: Sendable {
    public let baseURL: URL
    /// The server's address as shown in messages.
    public let display: String
    let http: HTTPClient
    let credentials: MLflowCredentials
    public let retry: RetryPolicy

    public init(trackingURI: String, credentials: MLflowCredentials, timeout: Double = 30, retry: RetryPolicy = RetryPolicy()) throws {
        var text = trackingURI.trimmed()
        while text.hasSuffix("/") { text.removeLast() }
        let shown = SecretScrubber.redactURLPasswords(in: text)
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil else {
            throw MMPError(.invalidConfig, "tracking.tracking_uri '\(shown)' is not an http:// or https:// address of an MLflow server (set MLFLOW_TRACKING_URI, e.g. http://127.0.0.1:5000)")
        }
        guard url.user == nil, url.password == nil else {
            throw MMPError(.invalidConfig, "tracking.tracking_uri '\(shown)' carries credentials; put them in MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) instead")
        }
        baseURL = url
        display = "MLflow at \(shown)"
        http = HTTPClient(timeout: timeout)
        self.credentials = credentials
        self.retry = retry
    }

    /// A copy that tries each call once (probes, the last word of a dying run).
    public func withRetry(_ policy: RetryPolicy) -> MLflowClient {
        MLflowClient(baseURL: baseURL, display: display, http: http, credentials: credentials, retry: policy)
    }

    private init(baseURL: URL, display: String, http: HTTPClient, credentials: MLflowCredentials, retry: RetryPolicy) {
        self.baseURL = baseURL; self.display = display; self.http = http; self.credentials = credentials; self.retry = retry
    }

    // MARK: JSON endpoints

    /// Calls `/api/2.0/mlflow/<path>`; returns the answer's JSON. Throws `MLflowAPIError` for an
    /// error answer, `MMPError` when the server cannot be reached.
    @discardableResult
    public func call(_ method: String, _ path: String, query: [(String, String)] = [], body: JSON? = nil) throws -> JSON {
        let response = try send(method, "/api/2.0/mlflow/\(path)", query: query, body: body.map { Array($0.serialized().utf8) },
                                contentType: body == nil ? nil : "application/json")
        guard !response.body.isEmpty else { return .object(JSONObject()) }
        do {
            return try JSON.parse(bytes: response.body)
        } catch {
            throw MMPError(.invalidData, "\(display) answered \(path) with something that is not JSON: \(String(response.text.prefix(120)))")
        }
    }

    /// Sends a request under the retry policy; a 2xx response is returned, an error answer
    /// thrown as `MLflowAPIError`.
    func send(_ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]?, contentType: String?) throws -> HTTPResponse {
        let url = try url(path, query: query)
        var headers: [String: String] = ["Accept": "application/json"]
        if let contentType { headers["Content-Type"] = contentType }
        if let (name, value) = credentials.header { headers[name] = value }
        let response = try retry.run { _ -> HTTPResponse in
            let r = try http.send(method, url: url, headers: headers, body: body, display: display)
            if r.status == 429 || (r.status >= 500 && r.status != 501) {
                throw MMPError(.connection, "\(display) answered \(method) \(path) with HTTP \(r.status): \(MLflowClient.errorText(r))")
            }
            return r
        }
        guard (200..<300).contains(response.status) else {
            let parsed = try? JSON.parse(bytes: response.body)
            throw MLflowAPIError(status: response.status, code: parsed?["error_code"]?.stringValue ?? "HTTP_\(response.status)",
                                 message: MLflowClient.errorText(response))
        }
        return response
    }

    /// The first line of an error answer's message, at most 300 characters (MLflow's messages
    /// can carry whole SQL statements).
    static func errorText(_ response: HTTPResponse) -> String {
        let message = (try? JSON.parse(bytes: response.body))?["message"]?.stringValue ?? response.text
        let line = message.split(separator: "\n").first.map(String.init) ?? ""
        return line.count > 300 ? String(line.prefix(300)) + "…" : line
    }

    func url(_ path: String, query: [(String, String)]) throws -> URL {
        guard var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false) else {
            throw MMPError(.invalidConfig, "\(display) is not a valid address")
        }
        components.percentEncodedPath = components.percentEncodedPath + path
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components.url else { throw MMPError.invalidInput("cannot build a request address for \(path)") }
        return url
    }

    /// Percent-encodes one path segment (artifact paths, model ids).
    static func encodeSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

extension MLflowAPIError {
    /// As an `MMPError` for the user: what was asked, what the server said.
    public func asMMPError(_ what: String, server: String) -> MMPError {
        let kind: MMPError.Kind = isNotFound ? .notFound : (status == 401 || status == 403) ? .invalidConfig : .invalidInput
        let hint = (status == 401 || status == 403) ? " (check MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN)" : ""
        return MMPError(kind, "\(server) refused to \(what): \(description)\(hint)")
    }
}
