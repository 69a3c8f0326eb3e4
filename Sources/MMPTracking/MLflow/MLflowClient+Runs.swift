import MMPCore

/// A run as mmp needs it: ids and where its artifacts go.
public struct MLflowRun: Sendable, Equatable {
    public var runID: String
    public var experimentID: String
    /// `mlflow-artifacts:/<experiment>/<run>/artifacts` on a server with `--serve-artifacts`.
    public var artifactURI: String
    public var status: String

    public init(runID: String, experimentID: String, artifactURI: String, status: String) {
        self.runID = runID; self.experimentID = experimentID; self.artifactURI = artifactURI; self.status = status
    }

    init(info: JSON?, server: String) throws {
        guard let info, let id = info["run_id"]?.stringValue ?? info["run_uuid"]?.stringValue else {
            throw MMPError(.invalidData, "\(server) answered without a run")
        }
        self.init(runID: id, experimentID: info["experiment_id"]?.plainText ?? "", artifactURI: info["artifact_uri"]?.stringValue ?? "",
                  status: info["status"]?.stringValue ?? "")
    }
}

/// How a run ended (MLflow's `RunStatus`).
public enum MLflowRunStatus: String, Sendable {
    case finished = "FINISHED", failed = "FAILED", killed = "KILLED"
}

extension MLflowClient {
    public func createRun(experimentID: String, name: String, user: String, startTimeMillis: Int, tags: [(String, String)]) throws -> MLflowRun {
        var body = JSONObject()
        body["experiment_id"] = .string(experimentID)
        body["run_name"] = .string(name)
        body["user_id"] = .string(user)
        body["start_time"] = .int(startTimeMillis)
        body["tags"] = .array(RunBatch.clean(tags: tags).map { ["key": .string($0.0), "value": .string($0.1)] })
        do {
            return try MLflowRun(info: try call("POST", "runs/create", body: .object(body))["run"]?["info"], server: display)
        } catch let error as MLflowAPIError {
            throw error.asMMPError("create a run in experiment \(experimentID)", server: display)
        }
    }

    /// The run's JSON (`info`, `data.params`, `data.metrics`, `data.tags`).
    public func getRun(_ runID: String) throws -> JSON {
        do {
            guard let run = try call("GET", "runs/get", query: [("run_id", runID)])["run"] else {
                throw MMPError(.invalidData, "\(display) answered without run \(runID)")
            }
            return run
        } catch let error as MLflowAPIError {
            throw error.asMMPError("read run \(runID)", server: display)
        }
    }

    public func endRun(_ runID: String, status: MLflowRunStatus, endTimeMillis: Int) throws {
        do {
            try call("POST", "runs/update", body: ["run_id": .string(runID), "status": .string(status.rawValue), "end_time": .int(endTimeMillis)])
        } catch let error as MLflowAPIError {
            throw error.asMMPError("mark run \(runID) \(status.rawValue)", server: display)
        }
    }

    /// Logs params, metrics and tags in as many `log-batch` calls as MLflow's limits require.
    public func logBatch(_ runID: String, _ batch: RunBatch) throws {
        for chunk in batch.requests() {
            var body = chunk
            body["run_id"] = .string(runID)
            do {
                try call("POST", "runs/log-batch", body: .object(body))
            } catch let error as MLflowAPIError {
                throw error.asMMPError("log params and metrics to run \(runID)", server: display)
            }
        }
    }

    /// Records a logged model as an output of a run (the run page's "Logged models").
    public func logOutputs(_ runID: String, modelID: String, step: Int = 0) throws {
        do {
            try call("POST", "runs/outputs", body: ["run_id": .string(runID), "models": [["model_id": .string(modelID), "step": .int(step)]]])
        } catch let error as MLflowAPIError {
            throw error.asMMPError("link model \(modelID) to run \(runID)", server: display)
        }
    }
}
