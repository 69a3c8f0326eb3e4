import Foundation
import MMPCore
import MMPTestSupport
import Testing
@testable import MMPConfig

/// A temporary folder with config files, removed afterwards.
struct TempDir {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "mmp-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func write(_ name: String, _ text: String) throws {
        let full = "\(path)/\(name)"
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct ConfigTests {
    @Test func envFileIsDeepMergedOverBase() throws {
        let dir = try TempDir(); defer { dir.remove() }
        try dir.write("base.yaml", "a: {x: 1, y: 2}\nlist: [1, 2]\n")
        try dir.write("dev.yaml", "a: {y: 3}\nlist: [9]\n")
        let config = try ConfigLoader.load(directory: dir.path, environment: ProcessEnvironment(["APP_ENV": "dev"]))
        #expect(config.env == "dev")
        #expect(try config.value(at: "a.x") == .int(1))
        #expect(try config.value(at: "a.y") == .int(3))
        #expect(try config.value(at: "list") == [9])
    }

    @Test func appEnvDefaultsToLocalAndUnknownEnvIsNamed() throws {
        let dir = try TempDir(); defer { dir.remove() }
        try dir.write("base.yaml", "a: 1\n")
        try dir.write("local.yaml", "b: 2\n")
        try dir.write("prod.yaml", "b: 3\n")
        #expect(try ConfigLoader.load(directory: dir.path, environment: ProcessEnvironment([:])).env == "local")
        let error = #expect(throws: MMPError.self) {
            try ConfigLoader.load(directory: dir.path, environment: ProcessEnvironment(["APP_ENV": "prdo"]))
        }
        #expect(error?.message.contains("did you mean 'prod'") == true)
    }

    @Test func variablesAndDefaultsAreFilledWithTypes() throws {
        let dir = try TempDir(); defer { dir.remove() }
        try dir.write("base.yaml", """
        port: ${PORT:-6379}
        host: ${HOST:-127.0.0.1}
        url: ${URL:-redis://${HOST:-localhost}:${PORT:-1}/0}
        literal: cost $$5
        empty_default: ${NOTSET:-}
        """)
        try dir.write("local.yaml", "")
        let config = try ConfigLoader.load(directory: dir.path, environment: ProcessEnvironment(["HOST": "db"]))
        #expect(try config.value(at: "port") == .int(6379))
        #expect(try config.value(at: "host") == .string("db"))
        #expect(try config.value(at: "url") == .string("redis://db:1/0"))
        #expect(try config.value(at: "literal") == .string("cost $5"))
        #expect(try config.value(at: "empty_default") == .string(""))
    }

    @Test func missingRequiredVariableNamesItAndTheFileOnlyWhenRead() throws {
        let dir = try TempDir(); defer { dir.remove() }
        try dir.write("base.yaml", "queue: {host: localhost}\n")
        try dir.write("dev.yaml", "adapters:\n  postgresql:\n    password: ${POSTGRES_PASSWORD}\n")
        let config = try ConfigLoader.load(directory: dir.path, environment: ProcessEnvironment(["APP_ENV": "dev"]))
        // Other sections work without it.
        #expect(try config.value(at: "queue.host") == .string("localhost"))
        let error = #expect(throws: MMPError.self) { try config.section("adapters.postgresql") }
        #expect(error?.message.contains("POSTGRES_PASSWORD") == true)
        #expect(error?.message.contains("dev.yaml") == true)
        #expect(error?.kind == .invalidConfig)
    }

    @Test func dotEnvFillsButNeverOverrides() throws {
        let dir = try TempDir(); defer { dir.remove() }
        try dir.write(".env", "A=from-file\nB=from-file\n")
        try dir.write(".env.dev", "C=from-dev-file\nA=from-dev\n")
        let env = try ProcessEnvironment(["APP_ENV": "dev", "B": "from-process"]).loadingDotEnv(from: dir.path)
        #expect(env["A"] == "from-file")
        #expect(env["B"] == "from-process")
        #expect(env["C"] == "from-dev-file")
    }

    @Test func redactionHidesEverySecret() throws {
        let dir = try TempDir(); defer { dir.remove() }
        try dir.write("base.yaml", """
        adapters:
          postgresql:
            password: ${POSTGRES_PASSWORD}
            host: ${POSTGRES_HOST:-x}
        queue:
          url: redis://:${REDIS_PASSWORD}@cache:6379/0
          api_token: literal-token-value
          note: ${MISSING_VAR}
        """)
        try dir.write("local.yaml", "")
        let env = ProcessEnvironment(["POSTGRES_PASSWORD": "pg-s3cret-value", "REDIS_PASSWORD": "redis-s3cret-value"])
        let shown = try ConfigLoader.load(directory: dir.path, environment: env).redacted().serialized()
        #expect(!shown.contains("pg-s3cret-value"))
        #expect(!shown.contains("redis-s3cret-value"))
        #expect(!shown.contains("literal-token-value"))
        #expect(shown.contains("<unset: MISSING_VAR>"))
        #expect(shown.contains("\"host\":\"x\""))
    }

    @Test func shippedConfigsLoadForEveryEnvironment() throws {
        let root = TestEnvironment.repoRoot
        let env = ProcessEnvironment(["POSTGRES_PASSWORD": "x", "POSTGRES_HOST": "h", "POSTGRES_PORT": "5432",
                                      "POSTGRES_USER": "u", "POSTGRES_DB": "d", "MMP_ARTIFACT_ROOT": "/tmp/a",
                                      "MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"])
        for name in ["local", "dev", "prod"] {
            let config = try ConfigLoader.load(directory: "\(root)/config", environment: env, env: name)
            #expect(try config.adapterName(for: "storage") == "filesystem")
            _ = try config.resolved()
            // Tracking: none on a laptop, MLflow in the shared environments.
            #expect(try config.string(at: "tracking.type") == (name == "local" ? "none" : "mlflow"))
        }
        // prod takes everything from the environment: without it, the error names the variable.
        let prod = try ConfigLoader.load(directory: "\(root)/config", environment: ProcessEnvironment([:]), env: "prod")
        let error = #expect(throws: MMPError.self) { try prod.section("adapters.postgresql") }
        #expect(error?.message.contains("POSTGRES_HOST") == true)
    }
}
