import Foundation
import MMPCore

/// What `scripts/test.sh` tells the tests: where the repository and the built executables are,
/// and how to reach the services it started. A test that needs a service it cannot find fails
/// with a message saying to run the tests through scripts/test.sh; it never skips.
public enum TestEnvironment {
    public static var variables: [String: String] { ProcessInfo.processInfo.environment }

    /// The repository root: `MMP_REPO_ROOT`, else the working folder.
    public static var repoRoot: String { variables["MMP_REPO_ROOT"] ?? FileManager.default.currentDirectoryPath }

    /// The folder of the built executables: `MMP_BIN_DIR`, else the debug build folder.
    public static var binDirectory: String { variables["MMP_BIN_DIR"] ?? "\(repoRoot)/.build/debug" }

    /// The path of a built executable (`mmp`, `mmp-worker`).
    public static func binary(_ name: String) -> String { "\(binDirectory)/\(name)" }

    /// A variable scripts/test.sh sets, or an error that says so.
    public static func required(_ name: String, for what: String) throws -> String {
        guard let value = variables[name], !value.isEmpty else {
            throw MMPError(.invalidConfig, "\(name) is not set: run the tests through scripts/test.sh, which starts \(what)")
        }
        return value
    }

    /// The shared redis-server: `MMP_TEST_REDIS_URL`.
    public static func redisURL() throws -> String { try required("MMP_TEST_REDIS_URL", for: "redis-server") }

    /// The state folder of this test run (`MMP_TEST_STATE_DIR`): servers of a test's own live here.
    public static func stateDirectory() throws -> String { try required("MMP_TEST_STATE_DIR", for: "its services under a state folder") }

    /// The shared PostgreSQL server (the contract's `POSTGRES_*` variables).
    public static func postgres() throws -> PostgresEndpoint {
        let what = "PostgreSQL"
        guard let port = Int(try required("POSTGRES_PORT", for: what)) else {
            throw MMPError(.invalidConfig, "POSTGRES_PORT is not a number")
        }
        return PostgresEndpoint(host: try required("POSTGRES_HOST", for: what), port: port,
                                user: try required("POSTGRES_USER", for: what), database: try required("POSTGRES_DB", for: what),
                                password: try required("POSTGRES_PASSWORD", for: what))
    }

    /// A new folder under the temporary folder (scripts/test.sh points TMPDIR into its state folder).
    public static func temporaryDirectory(_ label: String = "mmp-test") throws -> String {
        let path = NSTemporaryDirectory() + label + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Where a PostgreSQL server listens and who the tests log in as.
public struct PostgresEndpoint: Sendable {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String

    /// The variables a `dev` config reads.
    public var environment: [String: String] {
        ["POSTGRES_HOST": host, "POSTGRES_PORT": String(port), "POSTGRES_USER": user, "POSTGRES_DB": database,
         "POSTGRES_PASSWORD": password]
    }
}
