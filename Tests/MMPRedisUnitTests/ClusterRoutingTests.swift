import MMPCore
@testable import MMPRedis
import Testing

/// Slot computation, key positions, the slot map and redirect decisions: values, no server.
@Suite struct ClusterHashSlotTests {
    @Test func crc16IsTheXmodemVariant() {
        // The check value of CRC-16/XMODEM, and the example in the Redis Cluster specification.
        #expect(ClusterHashSlot.crc16(Array("123456789".utf8)) == 0x31C3)
        #expect(ClusterHashSlot.of("123456789") == 0x31C3 & 16383)
    }

    @Test func knownSlots() {
        // Values Redis gives for CLUSTER KEYSLOT (also checked against a real cluster in ClusterTests).
        #expect(ClusterHashSlot.of("foo") == 12182)
        #expect(ClusterHashSlot.of("bar") == 5061)
        #expect(ClusterHashSlot.of("") == 0)
    }

    @Test func hashTags() {
        #expect(ClusterHashSlot.of("{user1000}.following") == ClusterHashSlot.of("{user1000}.followers"))
        #expect(ClusterHashSlot.of("{user1000}.following") == ClusterHashSlot.of("user1000"))
        // The first { and the next }: "foo{{bar}}zap" hashes "{bar".
        #expect(ClusterHashSlot.of("foo{{bar}}zap") == ClusterHashSlot.of("{bar"))
        // Only the first tag counts.
        #expect(ClusterHashSlot.of("foo{bar}{zap}") == ClusterHashSlot.of("bar"))
        // An empty tag is no tag: the whole key is hashed.
        #expect(ClusterHashSlot.of("foo{}{bar}") == Int(ClusterHashSlot.crc16(Array("foo{}{bar}".utf8))) & 16383)
        #expect(ClusterHashSlot.of("foo{bar") == Int(ClusterHashSlot.crc16(Array("foo{bar".utf8))) & 16383)
        // A queue's keys share its tag.
        #expect(ClusterHashSlot.of("mmp:{train}:pending") == ClusterHashSlot.of("mmp:{train}:job:01abc@train"))
    }
}

@Suite struct CommandKeyTests {
    @Test func positionsOfTheCommandsMMPSends() {
        #expect(RedisCommand("HGETALL", "k").keyPositions == [1])
        #expect(RedisCommand("EVALSHA", "abc", "2", "k1", "k2", "a1").keyPositions == [3, 4])
        #expect(RedisCommand("EVAL", "return 1", "0").keyPositions == [])
        #expect(RedisCommand("BLPOP", "a", "b", "c", "5.000").keyPositions == [1, 2, 3])
        #expect(RedisCommand("XREAD", "COUNT", "10", "BLOCK", "100", "STREAMS", "s1", "s2", "0", "0").keyPositions == [6, 7])
        #expect(RedisCommand("xread", "streams", "s1", "$").keyPositions == [2])
        #expect(RedisCommand("DEL", "a", "b").keyPositions == [1, 2])
        #expect(RedisCommand("MSET", "a", "1", "b", "2").keyPositions == [1, 3])
        #expect(RedisCommand("BLMOVE", "a", "b", "LEFT", "RIGHT", "1").keyPositions == [1, 2])
        #expect(RedisCommand("ZUNIONSTORE", "d", "2", "a", "b").keyPositions == [1, 3, 4])
        #expect(RedisCommand("OBJECT", "ENCODING", "k").keyPositions == [2])
        for keyless in [["PING"], ["INFO", "server"], ["TIME"], ["SCRIPT", "LOAD", "return 1"], ["SUBSCRIBE", "ch"], ["WAIT", "1", "0"]] {
            #expect(RedisCommand(keyless).keyPositions == [], "\(keyless)")
        }
    }

    @Test func slotOfACommand() {
        #expect(RedisCommand("GET", "foo").slot == .slot(12182))
        #expect(RedisCommand("PING").slot == .none)
        #expect(RedisCommand("BLPOP", "mmp:{a}:wake", "mmp:{a}:pending", "1").slot == .slot(ClusterHashSlot.of("a")))
        #expect(RedisCommand("BLPOP", "foo", "bar", "1").slot == .crossSlot)
        #expect(RedisCommand("EVALSHA", "x", "2", "{q}a", "{q}b", "argv-is-not-a-key").slot == .slot(ClusterHashSlot.of("q")))
    }

    @Test func argumentsAreReadBack() {
        let cmd = RedisCommand("SET", "ké", "", "v")
        #expect(cmd.argumentText(1) == "ké")
        #expect(cmd.argumentText(2) == "")
        #expect(Array(cmd.argument(3)) == Array("v".utf8))
    }
}

@Suite struct ClusterSlotMapTests {
    let a = RedisEndpoint(host: "127.0.0.1", port: 7001)
    let b = RedisEndpoint(host: "127.0.0.1", port: 7002)

    func node(_ host: String, _ port: Int) -> RedisReply { .array([.bulk(Array(host.utf8)), .integer(port), .bulk(Array("id".utf8))]) }

    @Test func readsClusterSlots() throws {
        let reply = RedisReply.array([
            .array([.integer(0), .integer(8191), node("127.0.0.1", 7001), node("127.0.0.1", 7101)]),
            .array([.integer(8192), .integer(16383), node("", 7002)]),
        ])
        let map = try ClusterSlotMap(clusterSlots: reply, askedHost: "127.0.0.1")
        #expect(map.master(of: 0) == a)
        #expect(map.master(of: 8191) == a)
        #expect(map.master(of: 8192) == b)
        #expect(map.master(of: 16383) == b)
        #expect(map.masters == [a, b])
        #expect(map.coveredSlots == 16384)
    }

    @Test func uncoveredSlotsAndMovedSlots() throws {
        var map = ClusterSlotMap(ranges: [(0...99, a)])
        #expect(map.master(of: 100) == nil)
        #expect(map.coveredSlots == 100)
        map.assign(5...5, to: b)
        #expect(map.master(of: 5) == b)
        #expect(map.master(of: 4) == a)
    }

    @Test func refusesWhatIsNoSlotMap() {
        #expect(throws: (any Error).self) { try ClusterSlotMap(clusterSlots: .error("ERR This instance has cluster support disabled"), askedHost: "h") }
        #expect(throws: (any Error).self) { try ClusterSlotMap(clusterSlots: .array([.array([.integer(5), .integer(2), node("h", 1)])]), askedHost: "h") }
    }
}

@Suite struct ClusterRedirectTests {
    @Test func parsesRedirects() {
        #expect(ClusterRedirect(error: "MOVED 3999 127.0.0.1:6381", askedHost: "x") == .moved(slot: 3999, to: RedisEndpoint(host: "127.0.0.1", port: 6381)))
        #expect(ClusterRedirect(error: "ASK 12 :6390", askedHost: "10.0.0.5") == .ask(slot: 12, to: RedisEndpoint(host: "10.0.0.5", port: 6390)))
        #expect(ClusterRedirect(error: "TRYAGAIN Multiple keys request during rehashing of slot", askedHost: "x") == .tryAgain)
        #expect(ClusterRedirect(error: "CLUSTERDOWN The cluster is down", askedHost: "x") == .clusterDown)
        #expect(ClusterRedirect(error: "ERR unknown command", askedHost: "x") == nil)
        #expect(ClusterRedirect(error: "CROSSSLOT Keys in request don't hash to the same slot", askedHost: "x") == nil)
        #expect(ClusterRedirect(error: "MOVED notaslot h:1", askedHost: "x") == nil)
    }

    let here = RedisEndpoint(host: "127.0.0.1", port: 7002)

    @Test func movedReloadsTheMapAndResends() {
        var route = ClusterCommandRoute()
        #expect(route.next(after: .error("MOVED 5 127.0.0.1:7002"), askedHost: "h") == .resend(to: here, asking: false, reloadMap: true))
        #expect(route.next(after: .status("OK"), askedHost: "h") == .deliver)
    }

    @Test func askSendsOnceWithAsking() {
        var route = ClusterCommandRoute()
        #expect(route.next(after: .error("ASK 5 127.0.0.1:7002"), askedHost: "h") == .resend(to: here, asking: true, reloadMap: false))
        // The answer from the importing node is the command's answer, error or not.
        #expect(route.next(after: .error("WRONGTYPE Operation against a key"), askedHost: "h") == .deliver)
    }

    @Test func tryAgainWaitsThenGivesUp() {
        var route = ClusterCommandRoute()
        var waited = 0.0
        for _ in ClusterCommandRoute.retryDelays.indices {
            guard case .retry(let delay, let reload) = route.next(after: .error("TRYAGAIN"), askedHost: "h") else {
                Issue.record("expected a retry"); return
            }
            #expect(!reload)
            waited += delay
        }
        #expect(waited > 5 && waited < 15)
        #expect(route.next(after: .error("TRYAGAIN"), askedHost: "h") == .deliver)
        var down = ClusterCommandRoute()
        #expect(down.next(after: .error("CLUSTERDOWN Hash slot not served"), askedHost: "h") == .retry(after: 0.01, reloadMap: true))
    }

    @Test func redirectLoopsEnd() {
        var route = ClusterCommandRoute()
        for _ in 0..<ClusterCommandRoute.redirectLimit {
            #expect(route.next(after: .error("MOVED 1 a:1"), askedHost: "h") != .deliver)
        }
        #expect(route.next(after: .error("MOVED 1 a:1"), askedHost: "h") == .deliver)
    }

    @Test func successAndOrdinaryErrorsAreDelivered() {
        var route = ClusterCommandRoute()
        #expect(route.next(after: .integer(1), askedHost: "h") == .deliver)
        #expect(route.next(after: .error("NOSCRIPT No matching script"), askedHost: "h") == .deliver)
        #expect(route.redirects == 0 && route.retries == 0)
    }
}

@Suite struct SentinelParsingTests {
    @Test func masterAddress() {
        #expect(SentinelAnswer(.array([.bulk(Array("10.1.2.3".utf8)), .bulk(Array("6380".utf8))])) == .master(RedisEndpoint(host: "10.1.2.3", port: 6380)))
        #expect(SentinelAnswer(.null) == .unknownMaster)
        #expect(SentinelAnswer(.error("NOAUTH Authentication required.")) == .refused("NOAUTH Authentication required."))
    }

    @Test func roles() {
        #expect(ServerRole(.array([.bulk(Array("master".utf8)), .integer(0), .array([])])) == .master)
        #expect(ServerRole(.array([.bulk(Array("slave".utf8)), .bulk(Array("h".utf8))])) == .replica)
        #expect(ServerRole(.error("NOPERM this user has no permissions to run the 'role' command")) == .unknown)
    }

    @Test func demotionRepliesMeanReconnect() {
        #expect(RedisConnection.meansNewMaster("READONLY You can't write against a read only replica."))
        #expect(RedisConnection.meansNewMaster("NOREPLICAS Not enough good replicas to write."))
        #expect(RedisConnection.meansNewMaster("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)"))
        #expect(!RedisConnection.meansNewMaster("OOM command not allowed when used memory > 'maxmemory'."))
        #expect(!RedisConnection.meansNewMaster("WRONGTYPE Operation against a key holding the wrong kind of value"))
    }
}

@Suite struct SentinelSettingsTests {
    @Test func fromTheEnvironment() throws {
        let s = try RedisSettings.fromEnvironment([
            "REDIS_SENTINELS": "127.0.0.1:26379, s2:26380,[::1]:26381", "REDIS_SENTINEL_MASTER": "mmp", "REDIS_PASSWORD": "pw",
        ])
        #expect(s.sentinels == [RedisEndpoint(host: "127.0.0.1", port: 26379), RedisEndpoint(host: "s2", port: 26380),
                                RedisEndpoint(host: "::1", port: 26381)])
        #expect(s.sentinelMaster == "mmp" && s.password == "pw" && s.usesSentinels)
        #expect(s.endpoint == "sentinel master 'mmp'")
        #expect(!s.description.contains("pw"))
    }

    @Test func oneWithoutTheOtherIsAMistake() {
        let e1 = #expect(throws: MMPError.self) { try RedisSettings.fromEnvironment(["REDIS_SENTINELS": "h:26379"]) }
        #expect(e1?.message.contains("REDIS_SENTINEL_MASTER") == true)
        let e2 = #expect(throws: MMPError.self) { try RedisSettings.fromEnvironment(["REDIS_SENTINEL_MASTER": "mmp"]) }
        #expect(e2?.message.contains("REDIS_SENTINELS") == true)
        let e3 = #expect(throws: MMPError.self) {
            try RedisSettings.fromEnvironment(["REDIS_SENTINELS": "h", "REDIS_SENTINEL_MASTER": "mmp"])
        }
        #expect(e3?.message.contains("host:port") == true)
    }

    @Test func configSectionAndItsRoundTrip() throws {
        let s = try RedisSettings.fromSection(["url": "", "host": "", "port": 6379, "username": "worker", "password": "pw",
                                               "sentinels": "a:1,b:2", "sentinel_master": "mmp", "sentinel_password": ""])
        #expect(s.sentinels.count == 2 && s.sentinelMaster == "mmp" && s.username == "worker" && s.sentinelPassword == nil)
        #expect(try RedisSettings.fromSection(s.sectionJSON) == s)
        var full = RedisSettings(host: "h", port: 7000, username: "u", password: "p", database: 2, connectTimeout: 1.5, commandTimeout: 3)
        full.sentinels = [RedisEndpoint(host: "x", port: 26379)]
        full.sentinelMaster = "m"
        full.sentinelPassword = "sp"
        #expect(try RedisSettings.fromSection(full.sectionJSON) == full)
        let plain = RedisSettings(host: "h", port: 7000)
        #expect(try RedisSettings.fromSection(plain.sectionJSON) == plain)
        // A list works as well as a comma-separated text.
        let listed = try RedisSettings.fromSection(["sentinels": ["a:1", "b:2"], "sentinel_master": "mmp"])
        #expect(listed.sentinels.map(\.port) == [1, 2])
    }

    @Test func tlsURLsAreRefusedWithTheWayThatWorks() {
        let error = #expect(throws: MMPError.self) { try RedisSettings(url: "rediss://:hunter22@cache:6380/0") }
        #expect(error?.message.contains("stunnel") == true)
        #expect(error?.message.contains("hunter22") == false)
        #expect(error?.kind == .invalidConfig)
    }
}
