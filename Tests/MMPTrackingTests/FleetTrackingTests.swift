import Foundation
import MMPCore
import MMPTestSupport
import MMPTracking
import Testing

/// Fleet jobs tracked in MLflow: `mmp submit` to an `mmp-worker` whose environment (`dev`, as an
/// APP_ENV=dev worker reads it) tracks to MLflow. Real redis-server, real MLflow servers.
@Suite(.serialized) struct FleetTrackingTests {
    func record(_ id: String, _ config: TrackingConfig) throws -> JSON {
        try config.mmpJSON(["jobs", "show", id, "--json"])
    }

    /// Acceptance: a job produces a run tagged with its job id; a failing job a FAILED run; a
    /// cancelled one KILLED.
    @Test func jobsBecomeRunsFinishedFailedOrKilled() throws {
        let mlflow = try TestEnvironment.mlflow()
        let config = try TrackingConfig(trackingURI: mlflow.uri, experiment: randomName("fleet"), env: "dev")
        let worker = try TrackingWorker(config)
        defer { worker.stop() }

        // Succeeds: FINISHED, tagged with its job, queue and worker; the record points at the run.
        let registered = randomName("fleet-churn")
        let done = try config.mmpJSON(["submit", "recipes/churn_logistic.yaml", "--register", registered, "--alias", "champion", "--wait", "--json"])
        let id = try #require(done["id"]?.stringValue)
        #expect(done["state"]?.stringValue == "succeeded", "\(done.serialized())\n\(worker.output)")
        let tracking = try #require(done["result"]?["tracking"], "\(done.serialized())")
        #expect(tracking["status"]?.stringValue == "tracked")
        let run = try mlflow.run(try #require(tracking["run_id"]?.stringValue))
        #expect(run["status"]?.stringValue == "FINISHED")
        #expect(run["tags"]?["mmp.job_id"]?.stringValue == id)
        #expect(run["tags"]?["mmp.queue"]?.stringValue == "default")
        #expect(run["tags"]?["mmp.worker"]?.stringValue?.isEmpty == false)
        #expect(run["tags"]?["mmp.env"]?.stringValue == "dev")
        #expect(run["tags"]?["mlflow.runName"]?.stringValue == "churn_logistic-\(id)")
        #expect(run["metrics"]?["accuracy"]?.doubleValue == done["metrics"]?["accuracy"]?.doubleValue)
        // `mmp submit --register NAME --alias ALIAS`: the worker registered it, and it predicts by alias.
        #expect(tracking["registered"]?["alias_uri"]?.stringValue == "models:/\(registered)@champion", "\(tracking.serialized())")
        let byAlias = try config.mmp(["predict", "--model", "models:/\(registered)@champion", "--data", "data/customers.csv"])
        let byFile = try config.mmp(["predict", "--model", try #require(done["artifact"]?["uri"]?.stringValue), "--data", "data/customers.csv"])
        #expect(byAlias.status == 0 && byAlias.stdout == byFile.stdout, "\(byAlias.stderr)")

        // Fails (the data file is missing on the worker): FAILED, with the error as a tag.
        let failing = try config.mmp(["submit", "recipes/churn_logistic.yaml", "--param", "data.loader.source_uri=data/no_such_file.csv",
                                      "--wait", "--json"])
        #expect(failing.status == 1)
        let failed = try JSON.parse(failing.stdout.trimmed())
        #expect(failed["state"]?.stringValue == "failed", "\(failed.serialized())")
        let failedID = try #require(failed["id"]?.stringValue)
        let failedRunID = try #require(try runID(ofJob: failedID, mlflow: mlflow, experiment: config))
        let failedRun = try mlflow.waitForStatus(failedRunID, "FAILED")
        #expect(failedRun["status"]?.stringValue == "FAILED")
        #expect(failedRun["tags"]?["mmp.error"]?.stringValue?.contains("no_such_file.csv") == true, "\(failedRun.serialized())")

        // Cancelled while it tunes: the worker kills the job process; the run guard marks the run KILLED.
        let long = try config.mmpJSON(["submit", "recipes/churn_boosting_tuned.yaml", "--param", "model.hyperparameters.n_trials=400", "--json"])
        let longID = try #require(long["id"]?.stringValue)
        #expect(try waitUntil(60, interval: 0.2) { try record(longID, config)["stage"]?.stringValue == "fit" }, "\(worker.output)")
        let longRunID = try #require(try runID(ofJob: longID, mlflow: mlflow, experiment: config))
        #expect(try mlflow.run(longRunID)["status"]?.stringValue == "RUNNING")
        let cancel = try config.mmp(["jobs", "cancel", longID])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(try waitUntil(30, interval: 0.2) { try record(longID, config)["state"]?.stringValue == "cancelled" })
        let killed = try mlflow.waitForStatus(longRunID, "KILLED")
        #expect(killed["status"]?.stringValue == "KILLED", "\(killed.serialized())\n\(worker.output)")
        #expect(killed["tags"]?["mmp.end_reason"]?.stringValue == "the job was cancelled")
        #expect(worker.isRunning)
    }

    /// Acceptance: MLflow killed mid-job: the model is still stored, the job's record says
    /// tracking failed, nothing crashes; MLflow restarted: the next job tracks normally.
    @Test func mlflowStoppedMidJob() throws {
        let own = try OwnMLflow()
        let config = try TrackingConfig(trackingURI: own.endpoint.uri, experiment: randomName("outage"), env: "dev")
        let worker = try TrackingWorker(config)
        defer { worker.stop() }

        let submitted = try config.mmpJSON(["submit", "recipes/churn_boosting_tuned.yaml", "--param", "model.hyperparameters.n_trials=25", "--json"])
        let id = try #require(submitted["id"]?.stringValue)
        // The run exists once the job trains; then the server dies (SIGKILL, all its processes).
        #expect(try waitUntil(60, interval: 0.1) { try record(id, config)["stage"]?.stringValue == "fit" }, "\(worker.output)")
        let runID = try #require(try runID(ofJob: id, mlflow: own.endpoint, experiment: config))
        own.kill()
        #expect(try waitUntil(120, interval: 0.25) { try record(id, config)["state"]?.stringValue == "succeeded" }, "\(worker.output)")
        let job = try record(id, config)
        #expect(job["result"]?["tracking"]?["status"]?.stringValue == "failed", "\(job.serialized())")
        #expect(job["result"]?["tracking"]?["run_id"]?.stringValue == runID)
        #expect(job["result"]?["tracking"]?["error"]?.stringValue?.isEmpty == false)
        // The model is stored and loads.
        let uri = try #require(job["artifact"]?["uri"]?.stringValue)
        let predicted = try config.mmp(["predict", "--model", uri, "--data", "data/customers.csv"])
        #expect(predicted.status == 0 && predicted.stdout.split(separator: "\n").count == 3001, "\(predicted.stderr)")
        #expect(worker.isRunning, "\(worker.output)")

        // Back up: the next job tracks as usual, on the same server and store.
        try own.start()
        let next = try config.mmpJSON(["submit", "recipes/churn_logistic.yaml", "--wait", "--json"])
        #expect(next["state"]?.stringValue == "succeeded", "\(worker.output)")
        #expect(next["result"]?["tracking"]?["status"]?.stringValue == "tracked", "\(next.serialized())")
        let nextRun = try own.endpoint.run(try #require(next["result"]?["tracking"]?["run_id"]?.stringValue))
        #expect(nextRun["status"]?.stringValue == "FINISHED")
        #expect(nextRun["tags"]?["mmp.job_id"]?.stringValue == next["id"]?.stringValue)
    }

    /// The run of a job, found by its `mmp.job_id` tag (runs/search, as the MLflow UI's filter does).
    func runID(ofJob id: String, mlflow: MLflowEndpoint, experiment config: TrackingConfig) throws -> String? {
        let client = try MLflowClient(trackingURI: mlflow.uri, credentials: .none)
        let experiment = try client.experimentID(named: config.experiment)
        var found: String?
        _ = try waitUntil(30, interval: 0.2) {
            let runs = try client.call("POST", "runs/search", body: ["experiment_ids": [.string(experiment)],
                                                                     "filter": .string("tags.`mmp.job_id` = '\(id)'")])
            found = runs["runs"]?.arrayValue?.first?["info"]?["run_id"]?.stringValue
            return found != nil
        }
        return found
    }
}
