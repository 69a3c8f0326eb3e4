import MMPCore
@testable import MMPTracking
import Testing

/// The pure parts: log-batch chunking within MLflow's limits, model URIs, settings.
@Suite struct RunBatchTests {
    @Test func batchesStayWithinMLflowLimits() {
        let params = (0..<250).map { ("p\($0)", String(repeating: "x", count: $0 == 7 ? 7000 : 3)) }
        let metrics = (0..<2500).map { MetricPoint(key: "trial_score", value: Double($0), timestampMillis: 1, step: $0) }
        let tags = (0..<130).map { ("t\($0)", "v") }
        let requests = RunBatch(params: params, metrics: metrics, tags: tags).requests()
        var seenParams = 0, seenMetrics = 0, seenTags = 0
        for body in requests {
            let p = body["params"]?.arrayValue?.count ?? 0, m = body["metrics"]?.arrayValue?.count ?? 0, t = body["tags"]?.arrayValue?.count ?? 0
            #expect(p <= 100 && m <= 1000 && t <= 100 && p + m + t <= 1000)
            seenParams += p; seenMetrics += m; seenTags += t
            for param in body["params"]?.arrayValue ?? [] { #expect((param["value"]?.stringValue?.count ?? 0) <= 6000) }
        }
        #expect(seenParams == 250 && seenMetrics == 2500 && seenTags == 130)
        // Steps survive in order.
        let steps = requests.flatMap { $0["metrics"]?.arrayValue ?? [] }.compactMap { $0["step"]?.intValue }
        #expect(steps == Array(0..<2500))
    }

    @Test func nonFiniteMetricsAndBadKeysAreCleaned() {
        let batch = RunBatch(params: [("a b", "1"), ("a b", "2")],
                             metrics: [MetricPoint(key: "ok", value: .nan, timestampMillis: 1), MetricPoint(key: "r²", value: 0.5, timestampMillis: 1)],
                             tags: [("mmp.job_id", "x")])
        let body = batch.requests()[0]
        #expect(body["params"]?.arrayValue?.count == 1)
        #expect(body["params"]?.arrayValue?.first?["value"]?.stringValue == "2")
        #expect(body["metrics"]?.arrayValue?.map { $0["key"]?.stringValue } == ["r_"])
    }

    @Test func modelURIsParse() throws {
        #expect(try ModelURI("runs:/abc123/model") == .run(runID: "abc123", path: "model"))
        #expect(try ModelURI("models:/churn/3") == .registeredVersion(name: "churn", version: "3"))
        #expect(try ModelURI("models:/churn@champion") == .registeredAlias(name: "churn", alias: "champion"))
        #expect(try ModelURI("models:/m-0123") == .loggedModel(modelID: "m-0123"))
        #expect(try ModelURI("file:///tmp/a.mmpb") == .file(path: "/tmp/a.mmpb"))
        #expect(try ModelURI("artifacts/a.mmpb") == .file(path: "artifacts/a.mmpb"))
        for bad in ["runs:/abc", "models:/churn", "models:/churn/x", "models:/@a", "s3://bucket/key", ""] {
            #expect(throws: MMPError.self, "\(bad)") { try ModelURI(bad) }
        }
    }

    @Test func settingsReadTheSection() throws {
        let on = try TrackingSettings(section: ["type": "mlflow", "tracking_uri": "http://127.0.0.1:5000", "experiment_name": "x",
                                                "required": true, "max_attempts": 2, "backoff": ["base": "100ms", "cap": "1s"]], file: "dev.yaml")
        #expect(on.kind == .mlflow && on.required && on.retry == RetryPolicy(maxAttempts: 2, base: 0.1, cap: 1))
        #expect(try TrackingSettings(section: .object(JSONObject()), file: "x").kind == .none)
        let missing = #expect(throws: MMPError.self) { try TrackingSettings(section: ["type": "mlflow", "tracking_uri": ""], file: "dev.yaml") }
        #expect(missing?.message.contains("MLFLOW_TRACKING_URI") == true)
        #expect(throws: MMPError.self) { try TrackingSettings(section: ["type": "wandb"], file: "dev.yaml") }
        let withPassword = #expect(throws: MMPError.self) {
            try MLflowClient(trackingURI: "http://user:hunter22@127.0.0.1:5000", credentials: .none)
        }
        #expect(withPassword?.message.contains("hunter22") == false)
    }

    /// MLFLOW_TRACKING_TOKEN wins (bearer); else username and password (basic); the description
    /// names the scheme, never a value. (Basic auth against a real server: CredentialsTests.)
    @Test func credentialsFromTheEnvironment() {
        let token = MLflowCredentials(environment: ProcessEnvironment(["MLFLOW_TRACKING_TOKEN": "tok-123456", "MLFLOW_TRACKING_USERNAME": "u"]))
        #expect(token.header?.1 == "Bearer tok-123456")
        let basic = MLflowCredentials(environment: ProcessEnvironment(["MLFLOW_TRACKING_USERNAME": "ann", "MLFLOW_TRACKING_PASSWORD": "pw-9876"]))
        #expect(basic.header?.1 == "Basic YW5uOnB3LTk4NzY=")
        #expect(MLflowCredentials(environment: ProcessEnvironment([:])).header == nil)
        #expect(!"\(token) \(basic)".contains("tok-123456") && !"\(token) \(basic)".contains("pw-9876"))
    }
}
