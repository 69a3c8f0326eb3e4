import MMPCore
import MMPRedis
import MMPTestSupport
import Testing

/// Against the real master, replica and three sentinels scripts/test.d starts (master name
/// `mmp-client`; the fleet's failover test uses `mmp-fleet`, so the two never meet).
@Suite(.serialized) struct SentinelConnectionTests {
    let name = "mmp-client"

    @Test func connectsToTheMasterTheSentinelsName() throws {
        try SentinelAdmin.waitUntilReady(name)
        let c = try RedisConnection.connect(try TestEnvironment.sentinelSettings(master: name))
        #expect(c.currentEndpoint == (try SentinelAdmin.master(name)))
        #expect(try c.command("ROLE").array?.first?.string == "master")
        let key = uniqueKey("sentinel")
        try c.command("SET", key, "v")
        #expect(try c.command("GET", key).string == "v")
        #expect(!c.isCluster)
    }

    @Test func anUnknownMasterOrNoSentinelSaysWhichAndWhy() throws {
        let unknown = #expect(throws: MMPError.self) { try RedisConnection.connect(try TestEnvironment.sentinelSettings(master: "no-such-master")) }
        #expect(unknown?.message.contains("monitors no master named 'no-such-master'") == true)
        #expect(unknown?.message.contains("REDIS_SENTINEL_MASTER") == true)
        var settings = try TestEnvironment.sentinelSettings(master: name)
        settings.sentinels = [RedisEndpoint(host: "127.0.0.1", port: try freePort())]
        let unreachable = #expect(throws: MMPError.self) { try RedisConnection.connect(settings) }
        #expect(unreachable?.kind == .connection)
        #expect(unreachable?.message.contains("\(settings.sentinels[0])") == true)
    }

    /// Writes go on through `SENTINEL FAILOVER`: the connection follows the new master, and every
    /// write it was told succeeded is on the new master (the old one refuses writes once its
    /// replica leaves it, NOREPLICAS, which the client takes as "ask the sentinels again").
    @Test func followsAFailoverAndLosesNoAcknowledgedWrite() throws {
        try SentinelAdmin.waitUntilReady(name)
        let c = try RedisConnection.connect(try TestEnvironment.sentinelSettings(master: name))
        let key = uniqueKey("failover")
        let first = c.currentEndpoint
        var acknowledged = 0, lostReplies = 0, refusals = 0
        func increment() {
            do {
                let reply = try c.send(RedisCommand("INCR", key))
                if let e = reply.errorMessage {
                    refusals += 1
                    // What a failover may answer; anything else is a bug.
                    #expect(["NOREPLICAS", "READONLY", "UNBLOCKED", "MASTERDOWN", "LOADING"].contains { e.hasPrefix($0) },
                            "unexpected refusal: \(e)")
                    Backoff.sleep(0.05)
                } else {
                    acknowledged += 1
                }
            } catch {
                // An I/O error: the INCR may or may not have run.
                lostReplies += 1
                Backoff.sleep(0.05)
            }
        }
        for _ in 0..<20 { increment() }
        let old = try SentinelAdmin.failover(name)
        #expect(old == first)
        let new = try SentinelAdmin.waitForNewMaster(name, other: old)
        // Go on writing until the connection has written on the new master, and a while after.
        let moved = waitUntil(60, interval: 0) {
            increment()
            return c.currentEndpoint == new && c.isConnected
        }
        #expect(moved, "the connection never reached the new master \(new)")
        for _ in 0..<50 { increment() }
        let final = try #require(try c.command("GET", key).int)
        #expect(c.currentEndpoint == new)
        #expect(acknowledged >= 70)
        #expect(final >= acknowledged, "acknowledged \(acknowledged) increments, the new master holds \(final)")
        #expect(final <= acknowledged + lostReplies)
        #expect(try c.command("ROLE").array?.first?.string == "master")
        print("failover: \(acknowledged) acknowledged, \(refusals) refused, \(lostReplies) without reply, final \(final)")
    }
}
