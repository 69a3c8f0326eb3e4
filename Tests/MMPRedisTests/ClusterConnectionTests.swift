#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPRedis
import MMPTestSupport
import Testing

/// Against the real three-master cluster scripts/test.d starts. Each test uses hash tags of its
/// own, so that moving a slot here moves nothing another test uses.
@Suite struct ClusterConnectionTests {
    func settings(node: Int = 0) throws -> RedisSettings {
        let nodes = try TestEnvironment.clusterNodes()
        return RedisSettings(host: nodes[node].host, port: nodes[node].port, connectTimeout: 2, commandTimeout: 5)
    }

    func tag(_ label: String) -> String { "\(label)-\(UInt32.random(in: 0...UInt32.max))" }

    @Test func anyNodeLeadsToTheWholeCluster() throws {
        for node in 0..<3 {
            let c = try RedisConnection.connect(try settings(node: node))
            #expect(c.isCluster)
            let base = tag("any")
            // Keys spread over every master: each is written and read back through the one connection.
            let keys = (0..<60).map { "\(base):\($0)" }
            for key in keys { try c.command("SET", key, key + "!") }
            for key in keys { #expect(try c.command("GET", key).string == key + "!") }
            var owners = Set<RedisEndpoint>()
            for key in keys { owners.insert(try ClusterAdmin.owner(of: ClusterHashSlot.of(key))) }
            #expect(owners.count == 3)
            // And each is where the cluster says it belongs.
            for key in keys.prefix(10) {
                let owner = try ClusterAdmin.owner(of: ClusterHashSlot.of(key))
                #expect(try ClusterAdmin.direct(owner, "GET", key).string == key + "!")
            }
        }
    }

    @Test func slotsMatchTheServers() throws {
        let node = try TestEnvironment.clusterNodes()[0]
        let admin = try ClusterAdmin.connect(node)
        let keys = (0..<300).map { "k\($0)-\(UInt32.random(in: 0...UInt32.max))" } + ["{a}b", "x{}{y}", "{{z}}", "é{ü}", "", "mmp:{default}:pending"]
        let replies = try admin.pipeline(keys.map { RedisCommand("CLUSTER", "KEYSLOT", $0) })
        for (key, reply) in zip(keys, replies) { #expect(reply.int == ClusterHashSlot.of(key), "\(key)") }
    }

    @Test func pipelinesGoOncePerNodeWithRepliesInOrder() throws {
        let c = try RedisConnection.connect(try settings())
        let base = tag("pipe")
        let keys = (0..<30).map { "\(base):\($0)" }
        let nodes = Set(try keys.map { try ClusterAdmin.owner(of: ClusterHashSlot.of($0)) })
        let before = c.roundTrips
        let replies = try c.pipeline(keys.flatMap { [RedisCommand("SET", $0, $0), RedisCommand("GET", $0)] } + [RedisCommand("TIME")])
        #expect(c.roundTrips - before == nodes.count)
        for (i, key) in keys.enumerated() {
            #expect(replies[2 * i] == .status("OK"))
            #expect(replies[2 * i + 1].string == key)
        }
        #expect(replies.last?.array?.count == 2)
    }

    @Test func scriptsRunOnTheirKeysNodeAndLoadEverywhere() throws {
        let c = try RedisConnection.connect(try settings())
        let script = RedisScript(name: "cluster-echo", source: "redis.call('SET', KEYS[1], ARGV[1]); return {KEYS[1], redis.call('GET', KEYS[2]) or false} -- \(tag("s"))")
        let t = tag("script")
        try c.command("SET", "{\(t)}:b", "there")
        let reply = try c.evaluate(script, keys: ["{\(t)}:a", "{\(t)}:b"], arguments: ["hi"])
        #expect(reply.array?.compactMap(\.string) == ["{\(t)}:a", "there"])
        // SCRIPT LOAD goes to every master, so no call anywhere meets NOSCRIPT.
        let other = RedisScript(name: "cluster-load", source: "return 1 -- \(tag("l"))")
        _ = try c.pipeline([RedisCommand("SCRIPT", "LOAD", other.source)])
        for node in try TestEnvironment.clusterNodes() {
            #expect(try ClusterAdmin.direct(node, "SCRIPT", "EXISTS", other.sha).array?.first?.int == 1, "\(node)")
        }
        // Scripts whose keys span slots are refused by the server, not sent half here, half there.
        let error = #expect(throws: MMPError.self) { try c.evaluate(script, keys: ["{x1}a", "{x2}b"], arguments: ["v"]) }
        #expect(error?.message.contains("CROSSSLOT") == true)
    }

    /// A worker on several queues waits on their wake lists with one BLPOP; on a cluster the
    /// lists sit on different masters, and the client waits on each in turn.
    @Test func blpopOverSeveralMastersTakesFromWhicheverGetsAnElement() throws {
        let nodes = try TestEnvironment.clusterNodes()
        let keys = try nodes.map { "{\(try ClusterAdmin.tag(on: $0, prefix: tag("w")))}:wake" }
        let c = try RedisConnection.connect(try settings())
        let pusher = try RedisConnection.connect(try settings(node: 1))
        // Nothing there: the wait ends at its timeout with nil.
        let start = Timestamp.monotonic()
        #expect(try c.send(RedisCommand(["BLPOP"] + keys + ["0.6"]), blockSeconds: 0.6).isNull)
        let waited = Timestamp.monotonic() - start
        #expect(waited >= 0.55 && waited < 5)
        // An element that is there already is taken at once, first key in order first.
        try pusher.command("RPUSH", keys[2], "c")
        try pusher.command("RPUSH", keys[1], "b")
        #expect(try c.send(RedisCommand(["BLPOP"] + keys + ["1"]), blockSeconds: 1).array?.compactMap(\.string) == [keys[1], "b"])
        #expect(try c.send(RedisCommand(["BLPOP"] + keys + ["1"]), blockSeconds: 1).array?.compactMap(\.string) == [keys[2], "c"])
        // One pushed while it waits is found.
        let box = ThreadBox { Backoff.sleep(0.5); _ = try? pusher.command("RPUSH", keys[2], "late") }
        let reply = try c.send(RedisCommand(["BLPOP"] + keys + ["10"]), blockSeconds: 10)
        box.join()
        #expect(reply.array?.compactMap(\.string) == [keys[2], "late"])
        #expect(try pusher.command("LLEN", keys[2]).int == 0)
    }

    @Test func interruptBreaksAWaitAcrossSlots() throws {
        let nodes = try TestEnvironment.clusterNodes()
        let keys = try nodes.map { "{\(try ClusterAdmin.tag(on: $0, prefix: tag("i")))}:wake" }
        let c = try RedisConnection.connect(try settings())
        let start = Timestamp.monotonic()
        let box = ThreadBox { Backoff.sleep(0.5); c.interrupt() }
        let error = #expect(throws: MMPError.self) { try c.send(RedisCommand(["BLPOP"] + keys + ["20"]), blockSeconds: 20) }
        box.join()
        #expect(error?.kind == .connection || error?.kind == .timeout)
        #expect(Timestamp.monotonic() - start < 5)
        #expect(try c.command("PING") == .status("PONG"))
    }

    @Test func xreadOverStreamsOnSeveralMasters() throws {
        let nodes = try TestEnvironment.clusterNodes()
        let streams = try nodes.map { "{\(try ClusterAdmin.tag(on: $0, prefix: tag("x")))}:events" }
        let c = try RedisConnection.connect(try settings())
        try c.command("XADD", streams[0], "*", "n", "0")
        try c.command("XADD", streams[2], "*", "n", "2")
        let reply = try c.send(RedisCommand(["XREAD", "COUNT", "10", "STREAMS"] + streams + ["0", "0", "0"]))
        let found = (reply.array ?? []).compactMap { $0.array?.first?.string }
        #expect(Set(found) == [streams[0], streams[2]])
        // Blocking: an entry added while it waits is read.
        let writer = try RedisConnection.connect(try settings(node: 2))
        let box = ThreadBox { Backoff.sleep(0.4); _ = try? writer.command("XADD", streams[1], "*", "n", "1") }
        let blocked = try c.send(RedisCommand(["XREAD", "BLOCK", "5000", "STREAMS"] + streams + ["$", "$", "$"]), blockSeconds: 5)
        box.join()
        #expect(blocked.array?.first?.array?.first?.string == streams[1])
    }

    /// A slot moved while the client uses it: ASK during the move, MOVED after; nothing lost.
    @Test func followsASlotMigration() throws {
        let nodes = try TestEnvironment.clusterNodes()
        let t = try ClusterAdmin.tag(on: nodes[0], prefix: tag("mig"))
        let slot = ClusterHashSlot.of(t)
        let source = nodes[0], target = nodes[1]
        let c = try RedisConnection.connect(try settings(node: 2))
        let keys = (0..<20).map { "{\(t)}:k\($0)" }
        for key in keys { try c.command("SET", key, "v-" + key) }
        try ClusterAdmin.beginMigration(slot: slot, from: source, to: target)
        try ClusterAdmin.moveKeys(slot: slot, from: source, to: target, batch: 10)
        // Half the keys are on the target now: those answer through ASK, the rest from the source.
        for key in keys { #expect(try c.command("GET", key).string == "v-" + key, "\(key) during the move") }
        #expect(c.redirectsFollowed.ask >= 10)
        #expect(c.redirectsFollowed.moved == 0)
        // A new key in a migrating slot is created on the target (ASK).
        try c.command("SET", "{\(t)}:new", "n")
        let onTarget = try ClusterAdmin.connect(target).pipeline([RedisCommand("ASKING"), RedisCommand("GET", "{\(t)}:new")])
        #expect(onTarget[1].string == "n")
        // A script over keys the move has split is retried (TRYAGAIN) until the move ends.
        let sourceKeys = try keys.filter { try ClusterAdmin.direct(source, "EXISTS", $0).int == 1 }
        let moved = keys.filter { !sourceKeys.contains($0) }
        try #require(!sourceKeys.isEmpty && !moved.isEmpty)
        let split = [sourceKeys[0], moved[0]]
        let script = RedisScript(name: "mig-sum", source: "return redis.call('MGET', KEYS[1], KEYS[2])")
        let finisher = ThreadBox {
            Backoff.sleep(0.3)
            _ = try? ClusterAdmin.moveKeys(slot: slot, from: source, to: target)
            try? ClusterAdmin.finishMigration(slot: slot, from: source, to: target)
        }
        let both = try c.evaluate(script, keys: split, arguments: [])
        finisher.join()
        #expect(both.array?.compactMap(\.string) == split.map { "v-" + $0 })
        #expect(c.redirectsFollowed.retries >= 1)
        #expect(try ClusterAdmin.owner(of: slot) == target)
        // After the move: MOVED once, the map is read again, and the slot's commands go to the target.
        for key in keys { #expect(try c.command("GET", key).string == "v-" + key, "\(key) after the move") }
        #expect(c.currentEndpoint == target)
        #expect(c.redirectsFollowed.moved == 1)
        #expect(try c.command("GET", "{\(t)}:new").string == "n")
        // Move it back, so the cluster is as the other tests expect it (by slot ownership).
        try ClusterAdmin.migrate(slot: slot, from: target, to: source)
        for key in keys { #expect(try c.command("GET", key).string == "v-" + key, "\(key) after the move back") }
    }

    @Test func aClusterHasOnlyDatabaseZero() throws {
        var s = try settings()
        s.database = 2
        let error = #expect(throws: MMPError.self) { try RedisConnection.connect(s) }
        #expect(error?.message.contains("database 0") == true)
    }

    @Test func reconnectsAfterClose() throws {
        let c = try RedisConnection.connect(try settings())
        let t = tag("seed")
        try c.command("SET", "{\(t)}", "1")
        c.close()
        #expect(try c.command("GET", "{\(t)}").string == "1")
    }
}
