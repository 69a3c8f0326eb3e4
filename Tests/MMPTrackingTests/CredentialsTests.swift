import Foundation
import MMPCore
import MMPTestSupport
import Testing

/// Credentials from MLFLOW_TRACKING_USERNAME/PASSWORD reach a real MLflow server with its
/// basic-auth app on (which refuses every request without them), and appear nowhere.
@Suite struct CredentialsTests {
    @Test func basicAuthFromTheEnvironment() throws {
        // MLflow wants at least 12 characters, and a CSRF key for its auth app.
        let adminPassword = "adm1n-pass-\(UInt64.random(in: 1_000_000...UInt64.max))"
        let own = try OwnMLflow(arguments: ["--app-name", "basic-auth"],
                                environment: ["MLFLOW_AUTH_ADMIN_PASSWORD": adminPassword,
                                              "MLFLOW_FLASK_SERVER_SECRET_KEY": "csrf-\(UInt64.random(in: 1...UInt64.max))"])
        defer { own.kill() }
        let config = try TrackingConfig(trackingURI: own.endpoint.uri, experiment: randomName("auth"))

        // Right credentials: tracked, and MLflow's own client (with the same variables) sees the run.
        let credentials = ["MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": adminPassword]
        let r = try config.mmp(["train", "recipes/churn_logistic.yaml", "--json"], environment: credentials)
        #expect(r.status == 0, "\(r.stderr)")
        let result = try JSON.parse(r.stdout.trimmed())
        #expect(result["tracking"]?["status"]?.stringValue == "tracked", "\(result.serialized())")
        let runID = try #require(result["tracking"]?["run_id"]?.stringValue)
        let seen = try own.endpoint.pythonJSON("""
        import json, mlflow
        print(json.dumps(mlflow.get_run("\(runID)").info.status))
        """, environment: credentials)
        #expect(seen.stringValue == "FINISHED")
        #expect(!r.stdout.contains(adminPassword) && !r.stderr.contains(adminPassword))

        // Wrong password: refused (401), tracking failed with a hint, the job still succeeds, and
        // the password is in no output.
        let wrong = "wr0ng-\(UInt64.random(in: 1...UInt64.max))"
        let refused = try config.mmp(["train", "recipes/churn_logistic.yaml", "--json"],
                                     environment: ["MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": wrong])
        #expect(refused.status == 0, "\(refused.stderr)")
        let failed = try JSON.parse(refused.stdout.trimmed())
        let error = failed["tracking"]?["error"]?.stringValue ?? ""
        #expect(failed["tracking"]?["status"]?.stringValue == "failed")
        #expect(error.contains("401") && error.contains("MLFLOW_TRACKING_USERNAME"), "\(error)")
        #expect(!refused.stdout.contains(wrong) && !refused.stderr.contains(wrong))

        // No credentials at all: refused the same way.
        let anonymous = try config.mmpJSON(["train", "recipes/churn_logistic.yaml", "--json"])
        #expect(anonymous["tracking"]?["status"]?.stringValue == "failed")
    }
}
