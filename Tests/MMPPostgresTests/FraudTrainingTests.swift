import Foundation
import MMPAdapters
import MMPArtifacts
import MMPConfig
import MMPCore
import MMPLearn
import MMPPipeline
import MMPPostgres
import Testing

/// The fraud recipe end to end on the seeded data: train with rows from PostgreSQL and
/// point-in-time features, then predict online from Redis, and check the online features equal
/// the offline ones at the same moment (no training/serving skew). Part of the serialized
/// `FraudExampleTests` suite, the only one touching the `events` and `features` schemas.
extension FraudExampleTests {
    static let asOf = "2024-06-30"

    func config(prefix: String, artifacts: String) throws -> AppConfig {
        try TestDatabase.config(extra: [], adapters: [("statement_timeout", "2m")]).withSections(
            featureStore: JSONObject([
                ("definitions", .string("\(FraudExampleTests.root)/features")),
                ("online_uri", .string(try OnlineStoreTests.redisURL())),
                ("online_key_prefix", .string(prefix)),
            ]),
            artifactsRoot: artifacts)
    }

    @Test("APP_ENV=dev-style training on the fraud recipe, then online prediction by entity key")
    func trainAndServe() throws {
        try FraudExampleTests.seedOnce()
        let prefix = "mmp:test:fraud:\(UInt32.random(in: 0...UInt32.max))"
        let artifacts = NSTemporaryDirectory() + "mmp-fraud-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: artifacts) }
        let config = try config(prefix: prefix, artifacts: artifacts)

        let (recipe, _) = try RecipeLoader.load("\(FraudExampleTests.root)/recipes/fraud_detection.yaml")
        let sql = try String(contentsOfFile: "\(FraudExampleTests.root)/recipes/sql/fraud_transactions.sql", encoding: .utf8)
        let result = try TrainPipeline(config: config).run(TrainingInput(recipe: recipe, sqlText: sql,
                                                                         recipeDirectory: "\(FraudExampleTests.root)/recipes"))
        let auc = try #require(result.metrics["roc_auc"]?.doubleValue)
        // Point-in-time features carry real signal (a model on the payment alone does worse).
        #expect(auc > 0.75)

        let path = String(result.artifact.uri.dropFirst("file://".count))
        let bundle = try BundleCodec.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), source: path)
        let store = try #require(try AdapterRegistry.standard.featureStore(for: config))
        let moment = Timestamp.parse(Self.asOf)!
        let written = try store.materialize(views: nil, asOf: moment)
        #expect(written.count == 3 && written.allSatisfy { $0.rows > 0 })

        // Requests: known users and products, one unknown user.
        let requests = try Table(columns: [
            .numeric("transaction_id", [1, 2, 3, 4]),
            .numeric("user_id", [42, 7, 1200, 999_999]),
            .numeric("product_id", [17, 3, 250, 5]),
            .numeric("amount", [35.5, 950, 120, 20]),
            .categorical("channel", ["app", "web", "pos", "pos"]),
            .numeric("hour_of_day", [14, 2, 9, 12]),
            .numeric("account_age_days", [400, 3, 90, 100]),
        ])
        let online = try PredictPipeline.predictOnline(bundle, entities: requests, store: store)
        #expect(online.rowCount == 4)
        let probabilities = try #require(online.column("probability_1")?.doubles)
        #expect(probabilities.allSatisfy { $0 >= 0 && $0 <= 1 })

        // The same features, joined offline as of the same moment, are identical: what the model
        // is served equals what it would have been trained on at that time.
        var timed = requests
        try timed.set(.timestamp("event_timestamp", [Double](repeating: moment, count: 4)))
        let request = try PredictPipeline.featureRequest(for: bundle)
        let offline = try store.joinOffline(timed, request: request)
        let served = try store.lookupOnline(requests, request: request)
        for name in bundle.inputSchema.map(\.name) where requests.column(name) == nil {
            let a = try #require(offline.column(name)), b = try #require(served.column(name))
            for row in 0..<4 {
                #expect(a.text(at: row) == b.text(at: row), "\(name) of request \(row + 1): offline \(a.text(at: row)), online \(b.text(at: row))")
            }
        }
        #expect(try #require(served.column("age")).isMissing(3))
        let offlinePredictions = try PredictPipeline.predict(bundle, input: offline)
        #expect(offlinePredictions.column("probability_1")?.doubles == probabilities)
    }
}

extension AppConfig {
    /// This config with `adapters.feature_store` and `adapters.filesystem.root` set (tests).
    func withSections(featureStore: JSONObject, artifactsRoot: String) throws -> AppConfig {
        var root = raw.objectValue ?? JSONObject()
        var adapters = root["adapters"]?.objectValue ?? JSONObject()
        adapters["feature_store"] = .object(featureStore)
        adapters["filesystem"] = .object(JSONObject([("root", .string(artifactsRoot))]))
        root["adapters"] = .object(adapters)
        return AppConfig(json: .object(root), environment: environment)
    }
}
