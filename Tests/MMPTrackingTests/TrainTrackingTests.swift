import Foundation
import MMPArtifacts
import MMPCore
import MMPTestSupport
import MMPTracking
import Testing

/// `mmp train` with tracking on, read back with MLflow's own Python client from the real server
/// scripts/test.d/50-mlflow.sh started.
@Suite struct TrainTrackingTests {
    /// Acceptance: the run, its params, every metric equal to `mmp train --json`'s, the tuning
    /// history, and a bundle whose SHA-256 equals the one mmp reports.
    @Test func mlflowClientSeesTheRunAsMmpReportsIt() throws {
        let mlflow = try TestEnvironment.mlflow()
        let config = try TrackingConfig(trackingURI: mlflow.uri, experiment: randomName("train"))
        let result = try config.mmpJSON(["train", "recipes/churn_boosting_tuned.yaml", "--json"])
        let tracking = try #require(result["tracking"])
        #expect(tracking["status"]?.stringValue == "tracked", "\(tracking.serialized())")
        let runID = try #require(tracking["run_id"]?.stringValue)

        let seen = try mlflow.pythonJSON("""
        import hashlib, json, os, mlflow
        from mlflow import MlflowClient
        r = mlflow.get_run("\(runID)")
        history = MlflowClient().get_metric_history("\(runID)", "trial_score")
        path = mlflow.artifacts.download_artifacts("runs:/\(runID)/model")
        bundle = open(os.path.join(path, "model.mmpb"), "rb").read()
        print(json.dumps({"status": r.info.status, "params": r.data.params, "metrics": r.data.metrics, "tags": r.data.tags,
                          "history": [[m.step, m.value] for m in history], "sha256": hashlib.sha256(bundle).hexdigest(),
                          "files": sorted(os.listdir(path)), "mlmodel": open(os.path.join(path, "MLmodel")).read()}))
        """)
        #expect(seen["status"]?.stringValue == "FINISHED")
        // Every metric of `mmp train --json`, equal.
        let metrics = try #require(result["metrics"]?.objectValue)
        #expect(!metrics.isEmpty)
        for (name, value) in metrics {
            let logged = seen["metrics"]?[name]?.doubleValue
            #expect(logged != nil && abs(logged! - value.doubleValue!) <= 1e-12 * max(1, abs(logged!)), "metric \(name): \(String(describing: logged)) vs \(value)")
        }
        #expect(seen["metrics"]?["row_count"]?.doubleValue == 3000)
        #expect(seen["metrics"]?["column_count"]?.doubleValue == 9)
        // The tuning history: one point per trial, step = trial number.
        let trials = try #require(result["details"]?["tuning"]?["trials"]?.arrayValue)
        let expected = trials.compactMap { t -> [Double]? in
            guard let n = t["number"]?.intValue, let s = t["score"]?.doubleValue else { return nil }
            return [Double(n), s]
        }
        let history = (seen["history"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap(\.doubleValue) }
        #expect(history.count == 12 && history == expected)
        #expect(seen["metrics"]?["total_trials"]?.doubleValue == 12)
        #expect(seen["metrics"]?["best_score"]?.doubleValue == result["details"]?["tuning"]?["best_score"]?.doubleValue)
        // Params: the best hyperparameters, the model class, the split, the preprocessing.
        for (name, value) in result["details"]?["hyperparameters"]?.objectValue ?? JSONObject() {
            #expect(seen["params"]?[name]?.stringValue == value.plainText, "param \(name)")
        }
        #expect(seen["params"]?["model_class"]?.stringValue == "lightgbm.LGBMClassifier")
        #expect(seen["params"]?["split.train"] != nil && seen["params"]?["preprocessor.steps"] != nil)
        // Tags.
        let tags = try #require(seen["tags"])
        #expect(tags["mlflow.source.type"]?.stringValue == "JOB")
        #expect(tags["mlflow.source.name"]?.stringValue == "recipes/churn_boosting_tuned.yaml")
        #expect(tags["mlflow.runName"]?.stringValue?.hasPrefix("churn_boosting_tuned-") == true)
        #expect(tags["mmp.recipe"]?.stringValue == "churn_boosting_tuned")
        #expect(tags["mmp.version"]?.stringValue == MMPVersion.current)
        #expect(tags["mmp.data_fingerprint"]?.stringValue == result["details"]?["data_fingerprint"]?.stringValue)
        // The logged model: the bundle mmp reported, and an MLmodel with the input schema.
        #expect(seen["sha256"]?.stringValue == result["artifact"]?["sha256"]?.stringValue)
        #expect(seen["files"]?.arrayValue?.contains("model.mmpb") == true)
        let mlmodel = try JSON.parse(seen["mlmodel"]?.stringValue ?? "")
        let inputs = try JSON.parse(mlmodel["signature"]?["inputs"]?.stringValue ?? "")
        #expect(inputs.arrayValue?.contains { $0["name"]?.stringValue == "contract_type" && $0["type"]?.stringValue == "string" } == true)
    }

    /// Acceptance: `--register churn --alias champion`, then `mmp predict --model
    /// models:/churn@champion` gives the same predictions as the file bundle; the checksum is
    /// verified after download.
    @Test func registeredAliasPredictsLikeTheFile() throws {
        let mlflow = try TestEnvironment.mlflow()
        let config = try TrackingConfig(trackingURI: mlflow.uri, experiment: randomName("registry"))
        let result = try config.mmpJSON(["train", "recipes/churn_logistic.yaml", "--register", "churn", "--alias", "champion", "--json"])
        let registered = try #require(result["tracking"]?["registered"], "\(result.serialized())")
        let version = try #require(registered["version"]?.stringValue)
        let runID = try #require(result["tracking"]?["run_id"]?.stringValue)
        let file = try #require(result["artifact"]?["uri"]?.stringValue)

        func predict(_ model: String) throws -> String {
            let r = try config.mmp(["predict", "--model", model, "--data", "data/customers.csv"])
            #expect(r.status == 0, "\(model): \(r.stderr)")
            return r.stdout
        }
        let expected = try predict(file)
        #expect(expected.split(separator: "\n").count == 3001)
        for model in ["models:/churn@champion", "models:/churn/\(version)", "runs:/\(runID)/model"] {
            #expect(try predict(model) == expected, "\(model)")
        }
        // MLflow's registry agrees: the alias points at this run's logged model.
        let seen = try mlflow.pythonJSON("""
        import json
        from mlflow import MlflowClient
        v = MlflowClient().get_model_version_by_alias("churn", "champion")
        print(json.dumps({"version": v.version, "run_id": v.run_id, "source": v.source}))
        """)
        #expect(seen["version"]?.plainText == version && seen["run_id"]?.stringValue == runID)
        let modelID = try #require(result["tracking"]?["model_id"]?.stringValue)
        #expect(seen["source"]?.stringValue == "models:/\(modelID)")

        // A replaced copy in MLflow fails its checksum after download (and predicts nothing).
        let client = try MLflowClient(trackingURI: mlflow.uri, credentials: .none)
        let model = try client.getLoggedModel(modelID)
        let other = try config.mmpJSON(["train", "recipes/churn_logistic.yaml", "--param", "model.hyperparameters.values.C=0.01", "--json"])
        let otherBytes = try #require(FileManager.default.contents(atPath: String(other["artifact"]!["uri"]!.stringValue!.dropFirst(7))))
        try client.uploadArtifact(root: model.artifactURI, path: "model.mmpb", bytes: [UInt8](otherBytes))
        let tampered = try config.mmp(["predict", "--model", "models:/churn/\(version)", "--data", "data/customers.csv"])
        #expect(tampered.status == 1 && tampered.stdout.isEmpty)
        #expect(tampered.stderr.contains("failed its checksum after download"), "\(tampered.stderr)")
    }

    /// Acceptance: a secret set in the environment appears in no MLflow param, tag or artifact.
    @Test func secretsStayOutOfMLflow() throws {
        let mlflow = try TestEnvironment.mlflow()
        let secrets = (0..<3).map { _ in "s3cr3t-\(UInt64.random(in: 1...UInt64.max))" }
        let config = try TrackingConfig(trackingURI: mlflow.uri, experiment: randomName("secrets"), extra: """
        feature_store_settings:
          api_token: ${MMP_TEST_API_TOKEN}
          offline_uri: postgresql://mmp:${POSTGRES_PASSWORD}@127.0.0.1:5432/mmp
        """)
        let environment = ["MMP_TEST_API_TOKEN": secrets[0], "POSTGRES_PASSWORD": secrets[1],
                           "MLFLOW_TRACKING_USERNAME": "mmp", "MLFLOW_TRACKING_PASSWORD": secrets[2]]
        let result = try config.mmpJSON(["train", "recipes/churn_logistic.yaml", "--json"], environment: environment)
        #expect(result["tracking"]?["status"]?.stringValue == "tracked", "\(result.serialized())")
        let runID = try #require(result["tracking"]?["run_id"]?.stringValue)
        // Everything MLflow holds about the run: params, tags, metrics, every artifact file of the
        // run and of its logged model, downloaded.
        let dump = try mlflow.runPython("""
        import json, os, mlflow
        r = mlflow.get_run("\(runID)")
        print(json.dumps({"params": r.data.params, "tags": r.data.tags, "metrics": r.data.metrics}))
        for root in [mlflow.artifacts.download_artifacts(run_id="\(runID)"), mlflow.artifacts.download_artifacts("runs:/\(runID)/model")]:
            for folder, _, files in os.walk(root):
                for name in files:
                    print("FILE", os.path.relpath(os.path.join(folder, name), root))
                    print(open(os.path.join(folder, name), "rb").read().decode("latin-1"))
        """)
        #expect(dump.contains("FILE config.json") && dump.contains("FILE model.mmpb") && dump.contains("FILE MLmodel"))
        #expect(dump.contains("api_token"))  // the field is there, its value is not
        for secret in secrets { #expect(!dump.contains(secret), "a secret leaked into MLflow") }
    }

    /// Failure policy: MLflow unreachable, the model is still stored and the job succeeds with a
    /// warning; with `tracking.required: true` it fails, saying why.
    @Test func unreachableServerWarnsOrFailsWhenRequired() throws {
        let deadPort = try freePort()
        let config = try TrackingConfig(trackingURI: "http://127.0.0.1:\(deadPort)", experiment: randomName("down"))
        let r = try config.mmp(["train", "recipes/churn_logistic.yaml", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let result = try JSON.parse(r.stdout.trimmed())
        #expect(result["tracking"]?["status"]?.stringValue == "failed")
        #expect(result["tracking"]?["error"]?.stringValue?.contains("connection refused") == true, "\(result.serialized())")
        #expect(r.stderr.contains("warning: tracking failed"))
        let path = String(try #require(result["artifact"]?["uri"]?.stringValue).dropFirst("file://".count))
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(SHA256.hex([UInt8](bytes)) == result["artifact"]?["sha256"]?.stringValue)

        let strict = try TrackingConfig(trackingURI: "http://127.0.0.1:\(deadPort)", experiment: randomName("down"), tracking: "  required: true")
        let failed = try strict.mmp(["train", "recipes/churn_logistic.yaml", "--json"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("tracking.required: true"), "\(failed.stderr)")
    }

    /// Storage `mlflow`: the bundle lives in MLflow (the artifact is `runs:/<run_id>/model`) and
    /// loads from there; with MLflow down it goes to the fallback folder instead of being lost.
    @Test func mlflowStorageKeepsBundlesInMLflow() throws {
        let mlflow = try TestEnvironment.mlflow()
        let config = try TrackingConfig(trackingURI: mlflow.uri, experiment: randomName("storage"), storage: "mlflow")
        let result = try config.mmpJSON(["train", "recipes/churn_logistic.yaml", "--json"])
        let runID = try #require(result["tracking"]?["run_id"]?.stringValue, "\(result.serialized())")
        #expect(result["artifact"]?["uri"]?.stringValue == "runs:/\(runID)/model")
        #expect(!FileManager.default.fileExists(atPath: "\(config.directory)/artifacts"))
        let predicted = try config.mmp(["predict", "--model", "runs:/\(runID)/model", "--data", "data/customers.csv"])
        #expect(predicted.status == 0 && predicted.stdout.split(separator: "\n").count == 3001, "\(predicted.stderr)")
        let seen = try mlflow.pythonJSON("""
        import hashlib, json, os, mlflow
        path = mlflow.artifacts.download_artifacts("runs:/\(runID)/model")
        print(json.dumps(hashlib.sha256(open(os.path.join(path, "model.mmpb"), "rb").read()).hexdigest()))
        """)
        #expect(seen.stringValue == result["artifact"]?["sha256"]?.stringValue)

        // The server unreachable: the bundle is kept in the fallback folder, the record says why.
        let down = try String(contentsOfFile: "\(config.directory)/base.yaml", encoding: .utf8)
            .replacing(mlflow.uri, with: "http://127.0.0.1:\(try freePort())")
        try down.write(toFile: "\(config.directory)/base.yaml", atomically: true, encoding: .utf8)
        let kept = try config.mmpJSON(["train", "recipes/churn_logistic.yaml", "--json"])
        let uri = try #require(kept["artifact"]?["uri"]?.stringValue)
        #expect(uri.hasPrefix("file://\(config.directory)/fallback/"), "\(kept.serialized())")
        #expect(kept["tracking"]?["status"]?.stringValue == "failed")
        #expect(FileManager.default.fileExists(atPath: String(uri.dropFirst("file://".count))))
    }

    /// `--register` without tracking is refused before training; `--alias` needs `--register`.
    @Test func registerNeedsTracking() throws {
        let none = try runBinary("mmp", ["train", "recipes/churn_logistic.yaml", "--register", "x"], environment: ["APP_ENV": "local"])
        #expect(none.status == 1 && none.stderr.contains("--register needs MLflow"), "\(none.stderr)")
        let alias = try runBinary("mmp", ["train", "recipes/churn_logistic.yaml", "--alias", "champion"], environment: ["APP_ENV": "local"])
        #expect(alias.status == 2 && alias.stderr.contains("--alias needs --register"))
    }

    /// Get-or-create: processes creating the same experiment at once all get its one id
    /// (the loser of the race reads the winner's after RESOURCE_ALREADY_EXISTS).
    @Test func experimentCreateRace() throws {
        let mlflow = try TestEnvironment.mlflow()
        let client = try MLflowClient(trackingURI: mlflow.uri, credentials: .none)
        let name = randomName("race")
        let ids = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            if let id = try? client.experimentID(named: name) { ids.mutate { $0.append(id) } }
        }
        #expect(ids.value.count == 6 && Set(ids.value).count == 1, "\(ids.value)")
    }
}

/// A value shared by threads.
final class Locked<T>: @unchecked Sendable {
    // Every access holds the lock.
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T { lock.lock(); defer { lock.unlock() }; return stored }
    func mutate(_ body: (inout T) -> Void) { lock.lock(); defer { lock.unlock() }; body(&stored) }
}
