import MMPCore
import MMPTestSupport
import Testing

/// `mmp` itself (not only the library) reaches Redis through the sentinels and on a cluster, from
/// the contract's variables and the repository's config.
@Suite struct RedisSetupCLITests {
    func mmp(_ arguments: [String], _ environment: [String: String]) throws -> ProcessResult {
        // The test's own variables win over these defaults.
        let base = ["APP_ENV": "local", "MMP_CONFIG_DIR": "\(repoRoot)/config", "REDIS_URL": ""]
        return try runBinary("mmp", arguments, environment: base.merging(environment) { $1 })
    }

    @Test func throughTheSentinels() throws {
        let sentinels = try TestEnvironment.sentinels().map(\.description).joined(separator: ",")
        let listed = try mmp(["queues", "list", "--json"], ["REDIS_SENTINELS": sentinels, "REDIS_SENTINEL_MASTER": "mmp-client"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect((try? JSON.parse(listed.stdout.trimmed()))?.arrayValue != nil)
        // What the worker reads at start carries the sentinels.
        let settings = try mmp(["queues", "settings"], ["REDIS_SENTINELS": sentinels, "REDIS_SENTINEL_MASTER": "mmp-client"])
        let redis = try JSON.parse(settings.stdout.trimmed())["queue"]?["redis"]
        #expect(redis?["sentinel_master"]?.stringValue == "mmp-client")
        #expect(redis?["sentinels"]?.arrayValue?.count == 3)
        let wrong = try mmp(["queues", "list"], ["REDIS_SENTINELS": sentinels, "REDIS_SENTINEL_MASTER": "nope"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("REDIS_SENTINEL_MASTER"))
        let half = try mmp(["queues", "list"], ["REDIS_SENTINELS": sentinels])
        #expect(half.status != 0)
        #expect(half.stderr.contains("REDIS_SENTINEL_MASTER"))
    }

    @Test func onAClusterFromAnyNode() throws {
        for node in try TestEnvironment.clusterNodes() {
            let listed = try mmp(["queues", "list", "--json"], ["REDIS_URL": "redis://\(node)/0"])
            #expect(listed.status == 0, "\(listed.stderr)")
        }
    }

    @Test func aTLSURLIsRefusedWithTheSidecarWay() throws {
        let refused = try mmp(["queues", "list"], ["REDIS_URL": "rediss://127.0.0.1:6380/0"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("stunnel"))
    }
}
