import MMPCore

/// An MLflow 3 logged model: its id, where its files go, what produced it.
public struct MLflowLoggedModel: Sendable, Equatable {
    public var modelID: String
    public var experimentID: String
    public var name: String
    /// `mlflow-artifacts:/<experiment>/models/<model id>/artifacts`.
    public var artifactURI: String
    public var sourceRunID: String?
    public var status: String
    public var tags: [String: String]

    init(_ json: JSON?, server: String) throws {
        guard let info = json?["info"], let id = info["model_id"]?.stringValue else {
            throw MMPError(.invalidData, "\(server) answered without a logged model")
        }
        modelID = id
        experimentID = info["experiment_id"]?.plainText ?? ""
        name = info["name"]?.stringValue ?? ""
        artifactURI = info["artifact_uri"]?.stringValue ?? ""
        sourceRunID = info["source_run_id"]?.stringValue
        status = info["status"]?.stringValue ?? ""
        var tags: [String: String] = [:]
        for t in info["tags"]?.arrayValue ?? [] {
            if let k = t["key"]?.stringValue { tags[k] = t["value"]?.stringValue ?? "" }
        }
        self.tags = tags
    }
}

extension MLflowClient {
    /// `POST /api/2.0/mlflow/logged-models`: a logged model in PENDING state, its files still to come.
    public func createLoggedModel(experimentID: String, name: String, sourceRunID: String?, modelType: String,
                                  tags: [(String, String)], params: [(String, String)]) throws -> MLflowLoggedModel {
        var body = JSONObject()
        body["experiment_id"] = .string(experimentID)
        body["name"] = .string(name)
        body["model_type"] = .string(modelType)
        if let sourceRunID { body["source_run_id"] = .string(sourceRunID) }
        body["tags"] = .array(RunBatch.clean(tags: tags).map { ["key": .string($0.0), "value": .string($0.1)] })
        let cleanParams = RunBatch.deduplicated(RunBatch.clean(params, limit: RunBatch.maxParamValue))
        body["params"] = .array(cleanParams.prefix(RunBatch.maxParams).map { ["key": .string($0.0), "value": .string($0.1)] })
        do {
            let model = try MLflowLoggedModel(try call("POST", "logged-models", body: .object(body))["model"], server: display)
            var rest = Array(cleanParams.dropFirst(RunBatch.maxParams))
            while !rest.isEmpty {
                let chunk = rest.prefix(RunBatch.maxParams)
                rest.removeFirst(chunk.count)
                try call("POST", "logged-models/\(MLflowClient.encodeSegment(model.modelID))/params",
                         body: ["model_id": .string(model.modelID), "params": .array(chunk.map { ["key": .string($0.0), "value": .string($0.1)] })])
            }
            return model
        } catch let error as MLflowAPIError {
            throw error.asMMPError("create a logged model in experiment \(experimentID)", server: display)
        }
    }

    /// Marks a logged model READY (its files are complete) or UPLOAD_FAILED.
    public func finalizeLoggedModel(_ modelID: String, ready: Bool) throws {
        let status = ready ? "LOGGED_MODEL_READY" : "LOGGED_MODEL_UPLOAD_FAILED"
        do {
            try call("PATCH", "logged-models/\(MLflowClient.encodeSegment(modelID))", body: ["model_id": .string(modelID), "status": .string(status)])
        } catch let error as MLflowAPIError {
            throw error.asMMPError("mark logged model \(modelID) \(ready ? "ready" : "failed")", server: display)
        }
    }

    public func getLoggedModel(_ modelID: String) throws -> MLflowLoggedModel {
        do {
            return try MLflowLoggedModel(try call("GET", "logged-models/\(MLflowClient.encodeSegment(modelID))")["model"], server: display)
        } catch let error as MLflowAPIError {
            throw error.asMMPError("read logged model \(modelID)", server: display)
        }
    }

    /// The logged model called `name` that run `runID` produced (how MLflow's own clients resolve
    /// `runs:/<run>/<name>`), nil when there is none.
    public func loggedModel(ofRun runID: String, experimentID: String, name: String) throws -> MLflowLoggedModel? {
        var token: String?
        repeat {
            var body = JSONObject()
            body["experiment_ids"] = [.string(experimentID)]
            body["filter"] = .string("name = '\(name.replacing("'", with: "\\'"))'")
            body["max_results"] = 100
            if let token { body["page_token"] = .string(token) }
            let page: JSON
            do {
                page = try call("POST", "logged-models/search", body: .object(body))
            } catch let error as MLflowAPIError {
                throw error.asMMPError("search the logged models of run \(runID)", server: display)
            }
            for item in page["models"]?.arrayValue ?? [] {
                let model = try MLflowLoggedModel(item, server: display)
                if model.sourceRunID == runID { return model }
            }
            token = page["next_page_token"]?.stringValue
        } while token?.isEmpty == false
        return nil
    }
}
