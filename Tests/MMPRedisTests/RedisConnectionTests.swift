#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPRedis
import MMPTestSupport
import Testing

/// The test server started by scripts/test.sh. Missing means the test fails, never skips.
func testSettings() throws -> RedisSettings {
    try RedisSettings(url: try TestEnvironment.redisURL())
}

func uniqueKey(_ name: String) -> String { "test:redis:\(name):\(UInt64.random(in: 0...UInt64.max))" }

@Suite struct RedisConnectionTests {
    @Test func setGetAndTypes() throws {
        let c = try RedisConnection.connect(try testSettings())
        let key = uniqueKey("set")
        try c.command("SET", key, "héllo")
        #expect(try c.command("GET", key).string == "héllo")
        #expect(try c.command("INCRBY", key + ":n", "41") == .integer(41))
        #expect(try c.command("GET", key + ":missing").isNull)
        #expect(try c.command("PING") == .status("PONG"))
        try c.command("DEL", key, key + ":n")
    }

    @Test func binarySafeArguments() throws {
        let c = try RedisConnection.connect(try testSettings())
        let key = uniqueKey("bin")
        var cmd = RedisCommand("SET", key)
        let value: [UInt8] = [0, 1, 2, 255, 0, 13, 10]
        cmd.append(bytes: value)
        #expect(try c.send(cmd) == .status("OK"))
        #expect(try c.command("GET", key).bytes == value)
        try c.command("DEL", key)
    }

    @Test func errorRepliesAreThrownWithEndpointAndCommand() throws {
        let settings = try testSettings()
        let c = try RedisConnection.connect(settings)
        let key = uniqueKey("err")
        try c.command("SET", key, "text")
        let error = #expect(throws: MMPError.self) { try c.command("LPUSH", key, "x") }
        #expect(error?.message.contains(settings.endpoint) == true)
        #expect(error?.message.contains("LPUSH") == true)
        #expect(error?.message.contains("WRONGTYPE") == true)
        try c.command("DEL", key)
    }

    @Test func pipelineIsOneRoundTripWithRepliesInOrder() throws {
        let c = try RedisConnection.connect(try testSettings())
        let key = uniqueKey("pipe")
        let before = c.roundTrips
        let replies = try c.pipeline([
            RedisCommand("RPUSH", key, "a", "b"), RedisCommand("LLEN", key), RedisCommand("HGET", key, "x"), RedisCommand("LRANGE", key, "0", "-1"),
        ])
        #expect(c.roundTrips == before + 1)
        #expect(replies[0] == .integer(2))
        #expect(replies[1] == .integer(2))
        #expect(replies[2].errorMessage?.hasPrefix("WRONGTYPE") == true)
        #expect(replies[3].array?.compactMap(\.string) == ["a", "b"])
        try c.command("DEL", key)
    }

    @Test func scriptsRunBySHAAndReloadAfterFlush() throws {
        let c = try RedisConnection.connect(try testSettings())
        let script = RedisScript(name: "test-echo", source: "return {KEYS[1], ARGV[1], 'v7-\(UInt32.random(in: 0...UInt32.max))'}")
        #expect(try c.command("SCRIPT", "LOAD", script.source).string == script.sha)
        let reply = try c.evaluate(script, keys: ["k"], arguments: ["a"])
        #expect(reply.array?.prefix(2).compactMap(\.string) == ["k", "a"])
        try c.command("SCRIPT", "FLUSH")
        // NOSCRIPT now: the call must still succeed (sent again with its source).
        #expect(try c.evaluate(script, keys: ["k2"], arguments: ["b"]).array?.first?.string == "k2")
        try c.command("SCRIPT", "FLUSH")
        let many = try c.evaluatePipelined([(script, ["x"], ["1"]), (script, ["y"], ["2"])])
        #expect(many.map { $0.array?.first?.string } == ["x", "y"])
    }

    @Test func scriptErrorsNameTheScript() throws {
        let c = try RedisConnection.connect(try testSettings())
        let script = RedisScript(name: "test-broken", source: "return redis.call('NOPE')")
        let error = #expect(throws: MMPError.self) { try c.evaluate(script, keys: [], arguments: []) }
        #expect(error?.message.contains("test-broken") == true)
    }

    @Test func sha1MatchesRedis() throws {
        let c = try RedisConnection.connect(try testSettings())
        for source in ["", "return 1", String(repeating: "x", count: 200) + "é", "-- 55 bytes padding boundary case....................."] {
            let script = RedisScript(name: "sha", source: source.isEmpty ? "return 0" : "return '\(source)'")
            #expect(try c.command("SCRIPT", "LOAD", script.source).string == script.sha)
        }
    }

    @Test func refusedConnectionNamesTheEndpointAndNotThePassword() throws {
        // A port nothing listens on: bind one and close it.
        let settings = RedisSettings(host: "127.0.0.1", port: 1, password: "s3cret-pass", connectTimeout: 1)
        let error = #expect(throws: MMPError.self) { try RedisConnection.connect(settings) }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("127.0.0.1:1") == true)
        #expect(error?.message.contains("s3cret-pass") == false)
    }

    @Test func wrongPasswordFailsWithoutShowingIt() throws {
        var settings = try testSettings()
        settings.password = "not-the-password-42"
        let error = #expect(throws: MMPError.self) { try RedisConnection.connect(settings) }
        #expect(error?.message.contains("authentication failed") == true)
        #expect(error?.message.contains("not-the-password-42") == false)
    }

    @Test func databaseSelection() throws {
        var settings = try testSettings()
        settings.database = 3
        let c = try RedisConnection.connect(settings)
        let key = uniqueKey("db")
        try c.command("SET", key, "in-3")
        let c0 = try RedisConnection.connect(try testSettings())
        #expect(try c0.command("GET", key).isNull)
        #expect(try c.command("GET", key).string == "in-3")
        try c.command("DEL", key)
    }

    @Test func reconnectsAfterTheServerDropsTheConnection() throws {
        let c = try RedisConnection.connect(try testSettings())
        let name = "test-drop-\(UInt32.random(in: 0...UInt32.max))"
        try c.command("CLIENT", "SETNAME", name)
        let admin = try RedisConnection.connect(try testSettings())
        try admin.command("CLIENT", "KILL", "SKIPME", "yes", "ID", String(try c.command("CLIENT", "ID").int!))
        let error = #expect(throws: MMPError.self) { try c.command("PING") }
        #expect(error?.kind == .connection)
        #expect(!c.isConnected)
        // The next command reconnects.
        #expect(try c.command("PING") == .status("PONG"))
        #expect(c.reconnect(backoff: Backoff(base: 0.01, cap: 0.1), shouldStop: { false }))
    }

    @Test func interruptBreaksABlockingCall() throws {
        let c = try RedisConnection.connect(try testSettings())
        let key = uniqueKey("block")
        let start = Timestamp.monotonic()
        let box = ThreadBox { Backoff.sleep(0.2); c.interrupt() }
        let error = #expect(throws: MMPError.self) { try c.send(RedisCommand("BLPOP", key, "5"), blockSeconds: 5) }
        box.join()
        #expect(error?.kind == .connection || error?.kind == .timeout)
        #expect(Timestamp.monotonic() - start < 3)
        #expect(try c.command("PING") == .status("PONG"))
    }

    @Test func blockingCommandTimesOutOnTheServerNotTheClient() throws {
        var settings = try testSettings()
        settings.commandTimeout = 0.2
        let c = try RedisConnection.connect(settings)
        // BLPOP for 1 s with a 0.2 s command timeout: blockSeconds extends the read timeout.
        #expect(try c.send(RedisCommand("BLPOP", uniqueKey("t"), "1"), blockSeconds: 1).isNull)
    }

    @Test func infoReportsTheServerVersion() throws {
        let c = try RedisConnection.connect(try testSettings())
        let info = try c.info("server")
        #expect(info["redis_version"]?.isEmpty == false)
    }
}

@Suite struct RedisSettingsTests {
    @Test func parsesURLs() throws {
        let s = try RedisSettings(url: "redis://:p%40ss@cache.local:6380/2")
        #expect(s.host == "cache.local" && s.port == 6380 && s.database == 2 && s.password == "p@ss" && s.username == nil)
        #expect(s.description == "redis://:***@cache.local:6380/2")
        let u = try RedisSettings(url: "redis://alice:pw@h")
        #expect(u.username == "alice" && u.password == "pw" && u.port == 6379)
        let plain = try RedisSettings(url: "redis://127.0.0.1:7000")
        #expect(plain.password == nil && plain.port == 7000 && plain.database == 0)
    }

    @Test func badURLsSayWhatIsWrongWithoutThePassword() {
        let e1 = #expect(throws: MMPError.self) { try RedisSettings(url: "http://:hunter22@h:1") }
        #expect(e1?.message.contains("redis://") == true)
        #expect(e1?.message.contains("hunter22") == false)
        let e2 = #expect(throws: MMPError.self) { try RedisSettings(url: "redis://:hunter22@h:notaport") }
        #expect(e2?.message.contains("notaport") == true)
        #expect(e2?.message.contains("hunter22") == false)
    }

    @Test func environmentVariables() throws {
        let s = try RedisSettings.fromEnvironment(["REDIS_HOST": "db", "REDIS_PORT": "6390", "REDIS_PASSWORD": "pw"])
        #expect(s.host == "db" && s.port == 6390 && s.password == "pw")
        let u = try RedisSettings.fromEnvironment(["REDIS_URL": "redis://x:1/4", "REDIS_HOST": "ignored"])
        #expect(u.host == "x" && u.port == 1 && u.database == 4)
        #expect(throws: MMPError.self) { try RedisSettings.fromEnvironment(["REDIS_PORT": "seventy"]) }
        #expect(try RedisSettings.fromEnvironment([:]) == RedisSettings())
    }

    @Test func configSection() throws {
        let s = try RedisSettings.fromSection(["url": "", "host": "q", "port": 7001, "password": "", "database": 1, "command_timeout": "250ms"])
        #expect(s.host == "q" && s.port == 7001 && s.password == nil && s.database == 1 && s.commandTimeout == 0.25)
        let error = #expect(throws: MMPError.self) { try RedisSettings.fromSection(["url": "", "host": "", "port": 6379]) }
        #expect(error?.message.contains("REDIS_HOST") == true)
    }

    @Test func backoffGrowsAndStaysWithinBounds() {
        let b = Backoff(base: 0.1, cap: 2)
        for attempt in 0..<12 {
            let full = min(2, 0.1 * Double(1 << attempt))
            let d = b.delay(attempt: attempt)
            #expect(d >= full / 2 && d <= full)
        }
    }
}

/// Runs a closure on a new pthread (tests only).
final class ThreadBox: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: () -> Void

    init(_ body: @escaping () -> Void) {
        self.body = body
        let unmanaged = Unmanaged.passRetained(self)
        pthread_create(&thread, nil, { raw in
            let box = Unmanaged<ThreadBox>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, unmanaged.toOpaque())
    }

    func join() { pthread_join(thread, nil) }
}
