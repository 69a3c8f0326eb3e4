import Foundation
import MMPCore
import MMPTestSupport
import Testing

/// `mmp serve --model models:/<name>@<alias>` against the real MLflow server scripts/test.sh
/// starts: it serves the version the alias names and swaps when the alias moves, without a
/// failed request, `/ready` naming the version.
@Suite("mmp serve: models from the MLflow registry")
struct ServeRegistryTests {
    @Test("models:/name@alias serves the aliased version; moving the alias swaps it under a stream of requests")
    func aliasHotSwap() throws {
        let f = try ServeFixture.shared()
        let mlflow = try TestEnvironment.mlflow()
        let name = "serve-churn-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let config = try TestEnvironment.temporaryDirectory("mmp-serve-registry")
        try writeFile("\(config)/base.yaml", """
            data_adapters: {loader: local_files, storage: filesystem, feature_store: none}
            adapters:
              local_files: {base_path: \(TestEnvironment.repoRoot)}
              filesystem: {root: \(config)/artifacts}
            tracking:
              type: mlflow
              tracking_uri: \(mlflow.uri)
              experiment_name: \(name)
            """)
        try writeFile("\(config)/local.yaml", "environment: {name: local}\n")
        let environment = ["APP_ENV": "local", "MMP_CONFIG_DIR": config]
        var runIDs: [String] = []
        func train(_ params: [String]) throws -> String {
            let r = try runBinary("mmp", ["train", "churn_logistic", "--register", name, "--alias", "champion", "--json"]
                                  + params.flatMap { ["--param", $0] }, environment: environment)
            #expect(r.status == 0, "\(r.stderr)")
            let json = try JSON.parse(r.stdout.trimmed())
            runIDs.append(try #require(json["tracking"]?["run_id"]?.stringValue))
            return try #require(json["tracking"]?["registered"]?["version"]?.plainText)
        }

        #expect(try train([]) == "1")
        // The same recipe and parameters train the same model as the fixture's files, so their
        // `mmp predict` output is what each version must answer.
        let expected = ["1": try ServeFixture.predict(f.churn, f.churnRowsCSV), "2": try ServeFixture.predict(f.churnOther, f.churnRowsCSV)]
        let byAlias = try ServeFixture.predict("models:/\(name)@champion", f.churnRowsCSV, environment: environment)
        #expect(byAlias.rows == expected["1"]!.rows)

        // The other URI forms serve the same bundle: a run's model and a pinned version.
        let rows = try ServeFixture.jsonRows(f.churnRowsCSV, dropping: ["churned"])
        let batchBody = JSON.object(JSONObject([("samples", .array(rows.map(JSON.object)))])).serialized()
        func expectServes(_ server: ServerProcess, _ version: String, _ uri: String) throws {
            let predictions = try #require(try server.request("POST", "/predict/batch", body: batchBody).json()["predictions"]?.arrayValue)
            #expect(predictions.count == rows.count, "\(uri)")
            for (r, p) in predictions.enumerated() {
                #expect(csvText(p["probabilities"]?["1"]) == expected[version]!.cell(r, "probability_1"), "\(uri) row \(r)")
            }
        }
        let byRun = try startServer("runs:/\(runIDs[0])/model", environment: environment)
        #expect(try byRun.request("GET", "/ready").json()["model_uri"]?.stringValue == "runs:/\(runIDs[0])/model")
        try expectServes(byRun, "1", "runs:/")
        #expect(byRun.stop() == 0)
        let pinned = try startServer("models:/\(name)/1", ["--poll-interval", "300ms"], environment: environment)
        try expectServes(pinned, "1", "models:/name/1")
        // Polling off: this one learns of the alias's move only from SIGHUP.
        let onHangup = try startServer("models:/\(name)@champion", ["--poll-interval", "0"], environment: environment)
        #expect(try onHangup.request("GET", "/ready").json()["version"]?.stringValue == "1")

        let server = try startServer("models:/\(name)@champion", ["--poll-interval", "300ms"], environment: environment)
        let ready = try server.request("GET", "/ready").json()
        #expect(ready["version"]?.stringValue == "1" && ready["registry_version"]?.stringValue == "1")
        #expect(ready["model_uri"]?.stringValue == "models:/\(name)@champion")

        let outcomes = ServeLifecycleTests.Outcomes()
        let clients = ServeLifecycleTests().stream(port: server.port, threads: 4, rows: rows, expected: expected, outcomes: outcomes,
                                                   stopWhenRefused: false)
        #expect(waitUntil(30) { outcomes.seen.withLock { $0.ok } >= 100 })
        #expect(try train(["model.hyperparameters.values.C=0.01"]) == "2")
        #expect(waitUntil(30) { (try? server.request("GET", "/ready").json()["version"]?.stringValue) == "2" },
                "the alias moved but the server did not swap; its log:\n\(server.output)")
        let before = outcomes.seen.withLock { $0.versions["2"] ?? 0 }
        #expect(waitUntil(30) { outcomes.seen.withLock { $0.versions["2"] ?? 0 } >= before + 100 })
        outcomes.stop.store(true, ordering: .relaxed)
        #expect(clients.wait(timeout: .now() + 30) == .success)

        let seen = outcomes.seen.withLock { $0 }
        #expect(seen.other.isEmpty && seen.refused == 0, "\(seen.other.prefix(3)) refused \(seen.refused): \(seen.failures)")
        #expect(seen.mismatches.isEmpty, "\(seen.mismatches.prefix(3))")
        #expect(seen.versions["1"] ?? 0 >= 100 && seen.versions["2"] ?? 0 >= 100)
        #expect(try server.request("GET", "/model/metadata").json()["registry_version"]?.stringValue == "2")
        #expect(server.stop() == 0)

        // The pinned version stays; the SIGHUP-only server swaps when told, and not before.
        try expectServes(pinned, "1", "models:/name/1 after the alias moved")
        #expect(try pinned.request("GET", "/ready").json()["version"]?.stringValue == "1")
        #expect(pinned.stop() == 0)
        #expect(try onHangup.request("GET", "/ready").json()["version"]?.stringValue == "1", "polling is off")
        onHangup.signal(SIGHUP)
        #expect(waitUntil(30) { (try? onHangup.request("GET", "/ready").json()["version"]?.stringValue) == "2" },
                "SIGHUP did not swap to the alias's new version; its log:\n\(onHangup.output)")
        try expectServes(onHangup, "2", "models:/name@alias after SIGHUP")
        #expect(onHangup.stop() == 0)
    }
}
