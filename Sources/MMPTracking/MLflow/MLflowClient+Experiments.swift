import MMPCore

extension MLflowClient {
    /// The id of the experiment called `name`, created when missing. Two processes creating it
    /// at once both succeed: the loser of the race gets `RESOURCE_ALREADY_EXISTS` and reads the
    /// winner's id.
    public func experimentID(named name: String) throws -> String {
        if let id = try existingExperimentID(named: name) { return id }
        do {
            let created = try call("POST", "experiments/create", body: ["name": .string(name)])
            guard let id = created["experiment_id"]?.plainText, !id.isEmpty else {
                throw MMPError(.invalidData, "\(display) created experiment '\(name)' but returned no id")
            }
            return id
        } catch let error as MLflowAPIError where error.isAlreadyExists {
            if let id = try existingExperimentID(named: name) { return id }
            throw error.asMMPError("create experiment '\(name)'", server: display)
        } catch let error as MLflowAPIError {
            throw error.asMMPError("create experiment '\(name)'", server: display)
        }
    }

    /// The id of an active experiment called `name`, nil when there is none.
    func existingExperimentID(named name: String) throws -> String? {
        do {
            let found = try call("GET", "experiments/get-by-name", query: [("experiment_name", name)])
            guard let experiment = found["experiment"], let id = experiment["experiment_id"]?.plainText else { return nil }
            if experiment["lifecycle_stage"]?.stringValue == "deleted" {
                throw MMPError(.invalidConfig, "experiment '\(name)' is deleted in \(display); restore it (mlflow experiments restore --experiment-id \(id)) or set another tracking.experiment_name")
            }
            return id
        } catch let error as MLflowAPIError where error.isNotFound {
            return nil
        } catch let error as MLflowAPIError {
            throw error.asMMPError("look up experiment '\(name)'", server: display)
        }
    }
}
