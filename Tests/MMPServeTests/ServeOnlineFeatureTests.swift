import Foundation
import MMPCore
import MMPTestSupport
import Testing

/// Online features end to end through the executables: a recipe that joins a feature view from
/// the test PostgreSQL trains (`mmp train`), `mmp features materialize` fills a Redis of the
/// test's own, and `mmp serve` answers requests that carry only entity keys (plus the inputs the
/// store does not hold) with the same predictions as `mmp predict --entities`.
@Suite("mmp serve: online features", .serialized)
struct ServeOnlineFeatureTests {
    /// A schema of the test's own in the test PostgreSQL, with a feature table of 60 users'
    /// snapshots; a CSV of 600 events; a feature view, a recipe and a config over them.
    struct Stack {
        let root: String
        let schema: String
        let config: String
        let environment: [String: String]
        let redis: OwnRedis
        let bundle: String
        let entitiesCSV: String
    }

    static func psql(_ sql: String) throws {
        let pg = try TestEnvironment.postgres()
        let result = try runProcess("/bin/bash", ["-c", "source scripts/lib/services.sh; \"$(mmp_pg_bindir)/psql\" -X -q -v ON_ERROR_STOP=1 -h \(pg.host) -p \(pg.port) -U \(pg.user) -d \(pg.database)"],
                                    environment: ["PGPASSWORD": pg.password], stdin: sql)
        guard result.status == 0 else { throw MMPError.io("psql failed: \(result.stderr)") }
    }

    static func mmp(_ arguments: [String], _ environment: [String: String]) throws -> ProcessResult {
        let result = try runBinary("mmp", arguments, environment: environment)
        guard result.status == 0 else { throw MMPError.io("mmp \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        return result
    }

    static func build() throws -> Stack {
        let root = try TestEnvironment.temporaryDirectory("mmp-serve-online")
        let schema = "serve_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        var sql = "CREATE SCHEMA \(schema);\nCREATE TABLE \(schema).user_stats (user_id int, event_timestamp timestamptz, purchases_30d float8, avg_amount float8, segment text);\n"
        for user in 1...60 {
            for (month, day) in [(1, 1), (2, 1), (3, 1)] {
                let purchases = Double((user * 7 + month * 3) % 23)
                let amount = Double((user * 13 + month) % 97) + 0.25
                let segment = ["retail", "pro", "enterprise"][(user + month) % 3]
                // User 60 has no amount in its last snapshot: a NULL feature, not a missing entity.
                let amountText = user == 60 && month == 3 ? "NULL" : "\(amount)"
                sql += "INSERT INTO \(schema).user_stats VALUES (\(user), '2024-0\(month)-0\(day)T00:00:00Z', \(purchases), \(amountText), '\(segment)');\n"
            }
        }
        try psql(sql)

        var events = "event_id,user_id,event_timestamp,amount,channel,label\n"
        var generator = SeededGenerator(seed: 7)
        for id in 1...600 {
            let user = Int.random(in: 1...60, using: &generator)
            let day = Int.random(in: 2...28, using: &generator)
            let month = Int.random(in: 1...4, using: &generator)
            let amount = (Double.random(in: 5...500, using: &generator) * 100).rounded() / 100
            let channel = ["app", "web", "pos"][Int.random(in: 0...2, using: &generator)]
            let score = Double((user * 7 + min(month, 3) * 3) % 23) / 23 + amount / 1000 + (channel == "web" ? 0.2 : 0)
            let label = score + Double.random(in: -0.3...0.3, using: &generator) > 0.7 ? 1 : 0
            events += "\(id),\(user),2024-0\(month)-\(day < 10 ? "0" : "")\(day)T12:00:00Z,\(amount),\(channel),\(label)\n"
        }
        try writeFile("\(root)/events.csv", events)

        try FileManager.default.createDirectory(atPath: "\(root)/features", withIntermediateDirectories: true)
        try writeFile("\(root)/features/user_stats.yaml", """
            name: user_stats
            source: \(schema).user_stats
            entities: [user_id]
            timestamp_column: event_timestamp
            features: [purchases_30d, avg_amount, segment]
            """)
        try writeFile("\(root)/recipe.yaml", """
            name: online_orders
            task_choice: classification
            model:
              class_path: sklearn.linear_model.LogisticRegression
              hyperparameters:
                tuning_enabled: false
                values: {C: 1.0, max_iter: 500}
            data:
              loader:
                source_uri: \(root)/events.csv
              fetcher:
                type: feature_store
                feature_views: [user_stats]
                timestamp_column: event_timestamp
              data_interface:
                target_column: label
                entity_columns: [event_id, user_id]
                timestamp_column: event_timestamp
              split: {train: 0.8, test: 0.2}
            preprocessor:
              steps:
                - {type: simple_imputer, strategy: median, columns: [purchases_30d, avg_amount]}
                - {type: simple_imputer, strategy: most_frequent, columns: [segment]}
                - {type: one_hot_encoder, columns: [channel, segment]}
                - {type: standard_scaler}
            evaluation:
              metrics: [roc_auc]
              random_state: 42
            """)
        let redis = try OwnRedis()
        let config = "\(root)/config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try writeFile("\(config)/base.yaml", try readFile("\(TestEnvironment.repoRoot)/config/base.yaml"))
        try writeFile("\(config)/servetest.yaml", """
            environment: {name: servetest}
            data_adapters: {loader: local_files, storage: filesystem, feature_store: postgresql}
            adapters:
              local_files: {base_path: \(root)}
              filesystem: {root: \(root)/artifacts}
              postgresql:
                host: ${POSTGRES_HOST}
                port: ${POSTGRES_PORT}
                user: ${POSTGRES_USER}
                database: ${POSTGRES_DB}
                password: ${POSTGRES_PASSWORD}
              feature_store:
                definitions: \(root)/features
                online_uri: \(redis.url)
                online_key_prefix: mmp:test:\(schema)
            """)
        let environment = ["APP_ENV": "servetest", "MMP_CONFIG_DIR": config]
        let trained = try mmp(["train", "\(root)/recipe.yaml", "--json"], environment)
        let uri = try #require(try JSON.parse(trained.stdout.trimmed())["artifact"]?["uri"]?.stringValue)
        let materialized = try mmp(["features", "materialize", "--as-of", "2024-06-01", "--json"], environment)
        #expect(try JSON.parse(materialized.stdout.trimmed())["views"]?.arrayValue?.first?["entities"]?.intValue == 60)

        // Requests: known users (60's amount is NULL in the store), each channel.
        var entities = "event_id,user_id,amount,channel\n"
        for (i, user) in [1, 2, 17, 33, 45, 58, 59, 60].enumerated() {
            entities += "\(1000 + i),\(user),\(Double(20 + 37 * i) + 0.5),\(["app", "web", "pos"][i % 3])\n"
        }
        try writeFile("\(root)/entities.csv", entities)
        return Stack(root: root, schema: schema, config: config, environment: environment, redis: redis,
                     bundle: String(uri.dropFirst("file://".count)), entitiesCSV: "\(root)/entities.csv")
    }

    @Test("entity keys in, features from the online store, predictions equal to mmp predict --entities; unknown keys 404")
    func onlineFeatures() throws {
        let stack = try Self.build()
        defer {
            stack.redis.stop()
            try? Self.psql("DROP SCHEMA \(stack.schema) CASCADE")
        }
        let expected = CSVCells(try Self.mmp(["predict", "--model", stack.bundle, "--entities", stack.entitiesCSV], stack.environment).stdout)
        let rows = try ServeFixture.jsonRows(stack.entitiesCSV)
        #expect(expected.rows.count == rows.count)
        let server = try startServer(stack.bundle, environment: stack.environment)

        for (r, row) in rows.enumerated() {
            let response = try server.request("POST", "/predict", body: JSON.object(row).serialized())
            #expect(response.status == 200, "\(response.text)")
            #expect(csvText(try response.json()["probabilities"]?["1"]) == expected.cell(r, "probability_1"), "row \(r)")
            #expect(csvText(try response.json()["prediction"]) == expected.cell(r, "prediction"))
        }
        let batch = try server.request("POST", "/predict/batch", body: JSON.object(JSONObject([("samples", .array(rows.map(JSON.object)))])).serialized())
        #expect(batch.status == 200, "\(batch.text)")
        let predictions = try #require(try batch.json()["predictions"]?.arrayValue)
        for (r, p) in predictions.enumerated() {
            #expect(p["event_id"] == rows[r]["event_id"] && p["user_id"] == rows[r]["user_id"], "entity columns echoed")
            #expect(csvText(p["probabilities"]?["0"]) == expected.cell(r, "probability_0"))
        }

        // The schema asks for the keys and the inputs the store does not hold.
        let schema = try server.request("GET", "/model/schema").json()
        #expect(Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []) == ["user_id", "amount", "channel"])
        #expect(try server.request("GET", "/model/metadata").json()["online_features"]?["views"] == ["user_stats"])

        // An entity the store does not have is a 404 naming it, not a row of missing values.
        var unknown = rows[0]
        unknown["user_id"] = 9999
        let missing = try server.request("POST", "/predict", body: JSON.object(unknown).serialized())
        #expect(missing.status == 404)
        let m = try missing.json()
        #expect(m["error_code"]?.stringValue == "ENTITY_NOT_FOUND")
        #expect(m["message"]?.stringValue?.contains("user_id=9999") == true)
        #expect(m["message"]?.stringValue?.contains("user_stats") == true)
        #expect(m["request_id"]?.stringValue == missing.header("x-request-id"))
        let inBatch = try server.request("POST", "/predict/batch", body: JSON.object(JSONObject([("samples", [.object(rows[1]), .object(unknown)])])).serialized())
        #expect(inBatch.status == 404)
        #expect(try inBatch.json()["detail"]?.arrayValue?.first?["loc"] == ["body", "samples", 1])

        // A feature the store provides is not the caller's to send; a key is required.
        var withFeature = rows[0]
        withFeature["purchases_30d"] = 3
        #expect(try server.request("POST", "/predict", body: JSON.object(withFeature).serialized()).json()["error_code"]?.stringValue == "COLUMN_FROM_FEATURE_STORE")
        var withoutKey = rows[0]
        withoutKey["user_id"] = nil
        #expect(try server.request("POST", "/predict", body: JSON.object(withoutKey).serialized()).json()["error_code"]?.stringValue == "MISSING_COLUMN")

        // The online store goes away: 503 with Retry-After, the server stays up; back: answers again.
        stack.redis.stop()
        let down = try server.request("POST", "/predict", body: JSON.object(rows[0]).serialized())
        #expect(down.status == 503)
        #expect(try down.json()["error_code"]?.stringValue == "FEATURE_STORE_UNAVAILABLE")
        #expect(down.header("retry-after") == "1")
        #expect(try server.request("GET", "/health").status == 200)
        try stack.redis.start()
        let back = try server.request("POST", "/predict", body: JSON.object(rows[0]).serialized())
        #expect(back.status == 200, "\(back.text)")
        #expect(csvText(try back.json()["probabilities"]?["1"]) == expected.cell(0, "probability_1"))
        server.stop()
    }
}
