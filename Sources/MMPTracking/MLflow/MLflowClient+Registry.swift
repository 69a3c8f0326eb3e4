import MMPCore

/// A registered model version: where its files are and what produced it.
public struct MLflowModelVersion: Sendable, Equatable {
    public var name: String
    public var version: String
    /// `models:/<model id>` for a version made from an MLflow 3 logged model.
    public var source: String
    public var runID: String?
    public var modelID: String?
    public var status: String
    public var tags: [String: String]

    init(_ json: JSON?, server: String) throws {
        guard let v = json, let name = v["name"]?.stringValue, let version = v["version"]?.plainText else {
            throw MMPError(.invalidData, "\(server) answered without a model version")
        }
        self.name = name
        self.version = version
        source = v["source"]?.stringValue ?? ""
        runID = v["run_id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        modelID = v["model_id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        status = v["status"]?.stringValue ?? ""
        var tags: [String: String] = [:]
        for t in v["tags"]?.arrayValue ?? [] {
            if let k = t["key"]?.stringValue { tags[k] = t["value"]?.stringValue ?? "" }
        }
        self.tags = tags
    }
}

extension MLflowClient {
    /// Creates the registered model unless it exists.
    public func ensureRegisteredModel(_ name: String) throws {
        do {
            try call("POST", "registered-models/create", body: ["name": .string(name)])
        } catch let error as MLflowAPIError where error.isAlreadyExists {
            return
        } catch let error as MLflowAPIError {
            throw error.asMMPError("create registered model '\(name)'", server: display)
        }
    }

    /// A new version of `name` from a logged model (`source` `models:/<model id>`), waiting until
    /// the registry reports it READY.
    public func createModelVersion(name: String, modelID: String, runID: String?, tags: [(String, String)]) throws -> MLflowModelVersion {
        var body = JSONObject()
        body["name"] = .string(name)
        body["source"] = .string("models:/\(modelID)")
        body["model_id"] = .string(modelID)
        if let runID { body["run_id"] = .string(runID) }
        body["tags"] = .array(RunBatch.clean(tags: tags).map { ["key": .string($0.0), "value": .string($0.1)] })
        var version: MLflowModelVersion
        do {
            version = try MLflowModelVersion(try call("POST", "model-versions/create", body: .object(body))["model_version"], server: display)
        } catch let error as MLflowAPIError {
            throw error.asMMPError("create a version of registered model '\(name)'", server: display)
        }
        var waited = 0.0
        while version.status == "PENDING_REGISTRATION", waited < 60 {
            RetryPolicy.sleep(0.5); waited += 0.5
            version = try modelVersion(name: name, version: version.version)
        }
        guard version.status == "READY" || version.status.isEmpty else {
            throw MMPError(.invalidData, "\(display): version \(version.version) of '\(name)' is \(version.status), not READY")
        }
        return version
    }

    public func setAlias(name: String, alias: String, version: String) throws {
        do {
            try call("POST", "registered-models/alias", body: ["name": .string(name), "alias": .string(alias), "version": .string(version)])
        } catch let error as MLflowAPIError {
            throw error.asMMPError("set alias '\(alias)' of '\(name)' to version \(version)", server: display)
        }
    }

    public func modelVersion(name: String, version: String) throws -> MLflowModelVersion {
        do {
            return try MLflowModelVersion(try call("GET", "model-versions/get", query: [("name", name), ("version", version)])["model_version"],
                                          server: display)
        } catch let error as MLflowAPIError {
            throw error.asMMPError("read version \(version) of registered model '\(name)'", server: display)
        }
    }

    public func modelVersion(name: String, alias: String) throws -> MLflowModelVersion {
        do {
            return try MLflowModelVersion(try call("GET", "registered-models/alias", query: [("name", name), ("alias", alias)])["model_version"],
                                          server: display)
        } catch let error as MLflowAPIError {
            throw error.asMMPError("read alias '\(alias)' of registered model '\(name)'", server: display)
        }
    }
}
