import Foundation
import MMPCore
import MMPTestSupport
import Testing

/// The `dev` environment end to end, as a user runs it: `mmp submit` here, an `mmp-worker` with
/// APP_ENV=dev training on rows from PostgreSQL (and point-in-time features), `mmp jobs show`
/// reading the result. Each test has its own PostgreSQL cluster and queue key prefix.
@Suite(.serialized) struct DevFleetTests {
    /// A config folder like config/dev.yaml, pointing at `postgres` and the test Redis.
    func devConfig(_ postgres: IsolatedPostgres, prefix: String, backoff: String = "1s") throws -> String {
        let redis = try TestEnvironment.redisURL()
        let dir = "\(postgres.directory)-config-\(prefix)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
        data_adapters: {loader: postgresql, storage: filesystem, feature_store: postgresql}
        adapters:
          postgresql:
            host: ${POSTGRES_HOST}
            port: ${POSTGRES_PORT}
            user: ${POSTGRES_USER}
            database: ${POSTGRES_DB}
            password: ${POSTGRES_PASSWORD}
            connect_timeout: 2s
            statement_timeout: 2m
          feature_store:
            definitions: \(repoRoot)/features
            online_uri: \(redis)
            online_key_prefix: \(prefix):features
          filesystem: {root: \(dir)/artifacts}
        queue:
          redis: {url: \(redis)}
          key_prefix: \(prefix)
          lease: 3s
          heartbeat: 250ms
          reaper_interval: 250ms
          max_attempts: 10
          backoff: {base: \(backoff), cap: 2s}
          block_timeout: 1s
        """.write(toFile: "\(dir)/base.yaml", atomically: true, encoding: .utf8)
        try "environment: {name: dev}\n".write(toFile: "\(dir)/dev.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    func mmp(_ arguments: [String], config: String, postgres: IsolatedPostgres) throws -> ProcessResult {
        try runBinary("mmp", arguments, environment: postgres.environment.merging(["APP_ENV": "dev", "MMP_CONFIG_DIR": config]) { $1 })
    }

    func job(_ id: String, config: String, postgres: IsolatedPostgres) throws -> JSON {
        let shown = try mmp(["jobs", "show", id, "--json"], config: config, postgres: postgres)
        guard shown.status == 0 else { throw MMPError.io("mmp jobs show failed: \(shown.stderr)") }
        return try JSON.parse(shown.stdout.trimmed())
    }

    /// Acceptance (issue 4): `APP_ENV=dev mmp submit recipes/fraud_detection.yaml` trains on a worker with
    /// rows from PostgreSQL and point-in-time features, and its metrics are in `mmp jobs show`.
    @Test func fraudRecipeTrainsOnADevWorker() throws {
        let postgres = try IsolatedPostgres()
        defer { postgres.remove() }
        let seeded = try runProcess("\(repoRoot)/scripts/sql/seed.sh", [], environment: postgres.environment)
        #expect(seeded.status == 0, "\(seeded.stderr)")
        let prefix = "fleet-fraud-\(UInt32.random(in: 0...UInt32.max))"
        let config = try devConfig(postgres, prefix: prefix)
        let worker = try WorkerProcess(configDirectory: config, environment: postgres.environment.merging(["APP_ENV": "dev"]) { $1 },
                                       log: "\(config)/worker.log")
        defer { worker.stop() }

        let submitted = try mmp(["submit", "recipes/fraud_detection.yaml", "--json", "--wait"], config: config, postgres: postgres)
        #expect(submitted.status == 0, "\(submitted.stderr)\n\(worker.output)")
        let id = try #require(try JSON.parse(submitted.stdout.trimmed())["id"]?.stringValue)
        let record = try job(id, config: config, postgres: postgres)
        #expect(record["state"]?.stringValue == "succeeded")
        let auc = try #require(record["metrics"]?["roc_auc"]?.doubleValue, "\(record.prettySerialized())")
        #expect(auc > 0.75)
        // The job's own report: rows from the query, features from three views joined point-in-time.
        let uri = try #require(record["artifact"]?["uri"]?.stringValue)
        #expect(FileManager.default.fileExists(atPath: String(uri.dropFirst("file://".count))))
        #expect(record["result"]?["details"]?["rows"]?["loaded"]?.intValue ?? 0 > 20_000)
        // No secret in the job record.
        #expect(!record.serialized().contains(postgres.password))
    }

    /// Acceptance (issue 4): a PostgreSQL outage during a job makes it retry with backoff and
    /// succeed once the server is back; a SQL error fails it at once with the server's message.
    @Test func postgresOutageIsRetriedAndSQLErrorsFailAtOnce() throws {
        let postgres = try IsolatedPostgres()
        defer { postgres.remove() }
        try postgres.psql("""
        CREATE TABLE iris (sample_id int, sepal_length float8, sepal_width float8, petal_length float8, petal_width float8, species text);
        \\copy iris FROM 'data/iris.csv' WITH (FORMAT csv, HEADER true)
        """)
        let prefix = "fleet-outage-\(UInt32.random(in: 0...UInt32.max))"
        let config = try devConfig(postgres, prefix: prefix)
        // The query sleeps, so the server can be stopped while the job's load is running.
        let recipeDir = "\(config)/recipes"
        try FileManager.default.createDirectory(atPath: "\(recipeDir)/sql", withIntermediateDirectories: true)
        try "SELECT i.* FROM iris i CROSS JOIN (SELECT pg_sleep(:pause)) AS pause ORDER BY i.sample_id\n"
            .write(toFile: "\(recipeDir)/sql/iris.sql", atomically: true, encoding: .utf8)
        try "SELECT species, nonexistent_column FROM iris\n".write(toFile: "\(recipeDir)/sql/broken.sql", atomically: true, encoding: .utf8)
        for (name, sql) in [("iris_pg", "iris.sql"), ("broken_pg", "broken.sql")] {
            try """
            name: \(name)
            task_choice: classification
            model: {class_path: LogisticRegression, hyperparameters: {values: {max_iter: 500}}}
            data:
              loader: {source_uri: sql/\(sql), parameters: {pause: 0}}
              data_interface: {target_column: species, entity_columns: [sample_id]}
              split: {train: 0.7, test: 0.3}
            preprocessor: {steps: [{type: standard_scaler}]}
            """.write(toFile: "\(recipeDir)/\(name).yaml", atomically: true, encoding: .utf8)
        }
        let worker = try WorkerProcess(configDirectory: config, environment: postgres.environment.merging(["APP_ENV": "dev"]) { $1 },
                                       log: "\(config)/worker.log")
        defer { worker.stop() }

        // A job whose load sleeps 3 s; stop the server while it runs.
        let submitted = try mmp(["submit", "\(recipeDir)/iris_pg.yaml", "--param", "pause=3", "--json"], config: config, postgres: postgres)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let id = try #require(try JSON.parse(submitted.stdout.trimmed())["id"]?.stringValue)
        #expect(try waitUntil(20) { try job(id, config: config, postgres: postgres)["stage"]?.stringValue == "load" }, "\(worker.output)")
        try postgres.stop()

        // The attempt fails with a retryable connection error and waits in the scheduled set.
        var failed = JSON.null
        #expect(try waitUntil(20) {
            failed = try job(id, config: config, postgres: postgres)
            return failed["state"]?.stringValue == "scheduled"
        }, "\(failed.prettySerialized())\n\(worker.output)")
        #expect(failed["attempts"]?.intValue == 1)
        #expect(["connection", "timeout"].contains(failed["error"]?["kind"]?.stringValue ?? ""), "\(failed.prettySerialized())")

        // Server back: a later attempt succeeds.
        try postgres.start()
        var final = JSON.null
        #expect(try waitUntil(60) {
            final = try job(id, config: config, postgres: postgres)
            return ["succeeded", "failed", "dead"].contains(final["state"]?.stringValue ?? "")
        }, "\(worker.output)")
        #expect(final["state"]?.stringValue == "succeeded", "\(final.prettySerialized())\n\(worker.output)")
        #expect(final["attempts"]?.intValue ?? 0 >= 2)
        #expect(final["metrics"]?["accuracy"]?.doubleValue ?? 0 > 0.8)

        // A SQL error is permanent: failed at the first attempt, with the server's message.
        let broken = try mmp(["submit", "\(recipeDir)/broken_pg.yaml", "--json", "--wait"], config: config, postgres: postgres)
        #expect(broken.status == 1)
        let brokenID = try #require(try JSON.parse(broken.stdout.trimmed())["id"]?.stringValue)
        let record = try job(brokenID, config: config, postgres: postgres)
        #expect(record["state"]?.stringValue == "failed")
        #expect(record["attempts"]?.intValue == 1)
        #expect(record["error"]?["kind"]?.stringValue == "sql")
        #expect(record["error"]?["message"]?.stringValue?.contains("nonexistent_column") == true, "\(record.prettySerialized())")
    }
}
