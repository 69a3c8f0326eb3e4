import MMPCore
import MMPRedis
import MMPTestSupport
import Testing

/// hiredis 0.14 has no TLS: a TLS Redis is reached through a stunnel4 sidecar in client mode.
/// scripts/test.d/22-redis-tls.sh starts a TLS-only redis-server (no plain port, client
/// certificates required) and stunnel4 in front of it.
@Suite struct TLSSidecarTests {
    func sidecarURL() throws -> String {
        let port = try TestEnvironment.required("MMP_TEST_REDIS_STUNNEL_PORT", for: "stunnel4 in front of a TLS-only redis-server")
        let password = try TestEnvironment.required("MMP_TEST_REDIS_TLS_PASSWORD", for: "a TLS-only redis-server")
        return "redis://:\(password)@127.0.0.1:\(port)/0"
    }

    @Test func throughTheSidecarEverythingWorks() throws {
        let c = try RedisConnection.connect(try RedisSettings(url: try sidecarURL()))
        // The server has no plain port: whatever answers came over TLS.
        #expect(try c.command("CONFIG", "GET", "port").array?.last?.string == "0")
        #expect(try c.command("CONFIG", "GET", "tls-port").array?.last?.string == (try TestEnvironment.required("MMP_TEST_REDIS_TLS_PORT", for: "TLS redis")))
        let key = uniqueKey("tls")
        try c.command("RPUSH", key, "a")
        #expect(try c.send(RedisCommand("BLPOP", key, "1"), blockSeconds: 1).array?.last?.string == "a")
        let script = RedisScript(name: "tls-echo", source: "return ARGV[1]")
        #expect(try c.evaluate(script, keys: [key], arguments: ["over tls"]).string == "over tls")
    }

    @Test func plainTextToTheTLSPortFailsAsAConnectionError() throws {
        let port = Int(try TestEnvironment.required("MMP_TEST_REDIS_TLS_PORT", for: "a TLS-only redis-server"))!
        let error = #expect(throws: MMPError.self) {
            try RedisConnection(settings: RedisSettings(host: "127.0.0.1", port: port, password: "x", connectTimeout: 2, commandTimeout: 2)).command("PING")
        }
        #expect(error?.kind == .connection || error?.kind == .timeout)
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
    }

    @Test func aTLSURLSaysToUseTheSidecar() {
        let error = #expect(throws: MMPError.self) { try RedisSettings.fromEnvironment(["REDIS_URL": "rediss://cache.example:6380/0"]) }
        #expect(error?.message.contains("stunnel") == true)
        #expect(error?.message.contains("docs/redis.md") == true)
    }
}
