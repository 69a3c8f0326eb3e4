import MMPCore

/// An artifact listed by the artifact proxy.
public struct MLflowArtifactFile: Sendable, Equatable {
    public var path: String
    public var isDirectory: Bool
    public var size: Int
}

extension MLflowClient {
    /// The proxy path (`/api/2.0/mlflow-artifacts/artifacts/<...>`) of an artifact root such as
    /// `mlflow-artifacts:/1/<run>/artifacts`. Only roots the server proxies can be reached:
    /// the server must run with `--serve-artifacts`.
    func proxyPath(root: String, path: String) throws -> String {
        guard root.hasPrefix("mlflow-artifacts:") else {
            throw MMPError(.invalidConfig, "\(display) keeps artifacts at '\(SecretScrubber.redactURLPasswords(in: root))', which mmp can only reach through the server's artifact proxy; start the server with --serve-artifacts (and no --default-artifact-root outside it)")
        }
        var rest = Substring(root.dropFirst("mlflow-artifacts:".count))
        if rest.hasPrefix("//") {  // mlflow-artifacts://host:port/path: the path is what counts
            rest = rest.dropFirst(2)
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? ""
        }
        let parts = (rest.split(separator: "/").map(String.init) + path.split(separator: "/").map(String.init))
        guard !parts.contains(".."), !parts.contains(".") else { throw MMPError.invalidInput("artifact path '\(path)' must not contain '.' or '..'") }
        return "/api/2.0/mlflow-artifacts/artifacts/" + parts.map(MLflowClient.encodeSegment).joined(separator: "/")
    }

    /// Uploads one file under an artifact root (a run's or a logged model's `artifact_uri`).
    public func uploadArtifact(root: String, path: String, bytes: [UInt8]) throws {
        do {
            _ = try send("PUT", try proxyPath(root: root, path: path), body: bytes, contentType: "application/octet-stream")
        } catch let error as MLflowAPIError {
            throw error.asMMPError("store artifact \(path)", server: display)
        }
    }

    public func downloadArtifact(root: String, path: String) throws -> [UInt8] {
        do {
            return try send("GET", try proxyPath(root: root, path: path), body: nil, contentType: nil).body
        } catch let error as MLflowAPIError {
            throw error.asMMPError("send artifact \(path)", server: display)
        }
    }

    /// The files and folders directly under `path` of an artifact root.
    public func listArtifacts(root: String, path: String = "") throws -> [MLflowArtifactFile] {
        let full = try proxyPath(root: root, path: path)
        let relative = String(full.dropFirst("/api/2.0/mlflow-artifacts/artifacts/".count)).removingPercentEncoding ?? ""
        do {
            let response = try send("GET", "/api/2.0/mlflow-artifacts/artifacts", query: [("path", relative)], body: nil, contentType: nil)
            let listed = try JSON.parse(bytes: response.body)
            return (listed["files"]?.arrayValue ?? []).map { f in
                let name = f["path"]?.stringValue ?? ""
                return MLflowArtifactFile(path: path.isEmpty ? name : "\(path)/\(name)", isDirectory: f["is_dir"]?.boolValue ?? false,
                                          size: f["file_size"]?.intValue ?? 0)
            }
        } catch let error as MLflowAPIError {
            throw error.asMMPError("list artifacts under \(path.isEmpty ? "/" : path)", server: display)
        }
    }
}
