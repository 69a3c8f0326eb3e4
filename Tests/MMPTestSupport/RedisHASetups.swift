import MMPCore
import MMPRedis

/// The Redis Sentinel and Redis Cluster setups scripts/test.d starts (scripts/lib/redis-ha.sh).
extension TestEnvironment {
    /// The three sentinels (`MMP_TEST_SENTINELS`), watching the masters `mmp-client` and `mmp-fleet`.
    public static func sentinels() throws -> [RedisEndpoint] {
        try RedisEndpoint.list(try required("MMP_TEST_SENTINELS", for: "redis masters, replicas and sentinels"), field: "MMP_TEST_SENTINELS")
    }

    /// Settings that reach `master` through the test sentinels.
    public static func sentinelSettings(master: String) throws -> RedisSettings {
        var settings = RedisSettings(connectTimeout: 2, commandTimeout: 5)
        settings.sentinels = try sentinels()
        settings.sentinelMaster = master
        return settings
    }

    /// The nodes of the test cluster (`MMP_TEST_CLUSTER_NODES`), three masters.
    public static func clusterNodes() throws -> [RedisEndpoint] {
        try RedisEndpoint.list(try required("MMP_TEST_CLUSTER_NODES", for: "a three-master Redis Cluster"), field: "MMP_TEST_CLUSTER_NODES")
    }
}

/// Sentinel chores for tests: waiting until a failover can happen, starting one.
public enum SentinelAdmin {
    /// A plain connection to one sentinel.
    public static func connect(_ sentinel: RedisEndpoint) throws -> RedisConnection {
        try RedisConnection.connect(RedisSettings(host: sentinel.host, port: sentinel.port, connectTimeout: 2, commandTimeout: 5))
    }

    /// The master's address as the first sentinel that answers says.
    public static func master(_ name: String) throws -> RedisEndpoint {
        for sentinel in try TestEnvironment.sentinels() {
            guard let reply = try? connect(sentinel).command("SENTINEL", "get-master-addr-by-name", name),
                  let parts = reply.array, parts.count == 2, let host = parts[0].string, let port = parts[1].int else { continue }
            return RedisEndpoint(host: host, port: port)
        }
        throw MMPError(.connection, "no sentinel names a master '\(name)'")
    }

    /// Waits until every sentinel sees `name` with one replica in sync and the two other
    /// sentinels, and no failover runs: the state in which SENTINEL FAILOVER can succeed.
    public static func waitUntilReady(_ name: String, timeout: Double = 60) throws {
        let ready = try waitUntil(timeout, interval: 0.2) {
            for sentinel in try TestEnvironment.sentinels() {
                guard let fields = try? connect(sentinel).command("SENTINEL", "master", name).dictionary,
                      fields["num-slaves"] == "1", fields["num-other-sentinels"] == "2",
                      fields["flags"] == "master", fields["failover-state"] == nil || fields["failover-state"] == "none" else { return false }
                guard let replicas = try? connect(sentinel).command("SENTINEL", "replicas", name).array, let first = replicas.first,
                      first.dictionary["flags"] == "slave", first.dictionary["master-link-status"] == "ok" else { return false }
            }
            return true
        }
        guard ready else { throw MMPError(.timeout, "the sentinels did not settle on master '\(name)' with its replica within \(Int(timeout)) s") }
    }

    /// SENTINEL FAILOVER, asked until a sentinel takes it (INPROG and NOGOODSLAVE pass). Returns
    /// the master it started from.
    @discardableResult
    public static func failover(_ name: String, timeout: Double = 60) throws -> RedisEndpoint {
        try waitUntilReady(name, timeout: timeout)
        let before = try master(name)
        let sentinel = try connect(try TestEnvironment.sentinels()[0])
        var last = ""
        let started = waitUntil(timeout, interval: 0.5) {
            do { try sentinel.command("SENTINEL", "FAILOVER", name); return true } catch {
                last = MMPError.wrap(error).message
                return false
            }
        }
        guard started else { throw MMPError(.timeout, "SENTINEL FAILOVER \(name) was refused for \(Int(timeout)) s: \(last)") }
        return before
    }

    /// Waits until the sentinels name a master other than `old`; the new master.
    public static func waitForNewMaster(_ name: String, other old: RedisEndpoint, timeout: Double = 60) throws -> RedisEndpoint {
        var now = old
        guard try waitUntil(timeout, interval: 0.1, { now = try master(name); return now != old }) else {
            throw MMPError(.timeout, "the sentinels still name \(old) the master of '\(name)' after \(Int(timeout)) s")
        }
        return now
    }
}

/// Cluster chores for tests: node ids, and moving a slot from one master to another the way
/// `redis-cli --cluster reshard` does (SETSLOT IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE).
public enum ClusterAdmin {
    /// A connection to this node only, never routed (CLUSTER subcommands, MIGRATE, its own keys).
    public static func connect(_ node: RedisEndpoint) throws -> RedisConnection {
        try RedisConnection.connect(RedisSettings(host: node.host, port: node.port, connectTimeout: 2, commandTimeout: 10), routing: .direct)
    }

    public static func direct(_ node: RedisEndpoint, _ arguments: String...) throws -> RedisReply {
        try connect(node).send(RedisCommand(arguments))
    }

    public static func id(_ node: RedisEndpoint) throws -> String {
        guard let id = try direct(node, "CLUSTER", "MYID").string else { throw MMPError(.internal, "CLUSTER MYID: no id from \(node)") }
        return id
    }

    /// The master that serves `slot`, by the first node's view.
    public static func owner(of slot: Int) throws -> RedisEndpoint {
        let nodes = try TestEnvironment.clusterNodes()
        let map = try ClusterSlotMap(clusterSlots: try direct(nodes[0], "CLUSTER", "SLOTS"), askedHost: nodes[0].host)
        guard let owner = map.master(of: slot) else { throw MMPError(.internal, "no master serves slot \(slot)") }
        return owner
    }

    /// A hash tag whose slot is served by `node` (for queues that must sit on a given master).
    public static func tag(on node: RedisEndpoint, prefix: String) throws -> String {
        let nodes = try TestEnvironment.clusterNodes()
        let map = try ClusterSlotMap(clusterSlots: try direct(nodes[0], "CLUSTER", "SLOTS"), askedHost: nodes[0].host)
        for i in 0..<100_000 {
            let tag = "\(prefix)\(i)"
            if map.master(of: ClusterHashSlot.of(tag)) == node { return tag }
        }
        throw MMPError(.internal, "no tag found for \(node)")
    }

    /// Starts moving `slot` from `source` to `target`: IMPORTING on the target, MIGRATING on the source.
    public static func beginMigration(slot: Int, from source: RedisEndpoint, to target: RedisEndpoint) throws {
        _ = try direct(target, "CLUSTER", "SETSLOT", String(slot), "IMPORTING", try id(source))
        _ = try direct(source, "CLUSTER", "SETSLOT", String(slot), "MIGRATING", try id(target))
    }

    /// Moves up to `batch` keys of `slot` (all when nil); returns how many moved.
    @discardableResult
    public static func moveKeys(slot: Int, from source: RedisEndpoint, to target: RedisEndpoint, batch: Int? = nil) throws -> Int {
        var moved = 0
        while true {
            let count = batch.map { min(100, $0 - moved) } ?? 100
            if count <= 0 { return moved }
            let keys = (try direct(source, "CLUSTER", "GETKEYSINSLOT", String(slot), String(count)).array ?? []).compactMap(\.string)
            if keys.isEmpty { return moved }
            let reply = try connect(source).send(RedisCommand(["MIGRATE", target.host, String(target.port), "", "0", "5000", "KEYS"] + keys))
            if let e = reply.errorMessage { throw MMPError(.internal, "MIGRATE: \(e)") }
            moved += keys.count
        }
    }

    /// Ends the move: the slot belongs to `target` on both nodes (and, by gossip, on the rest).
    public static func finishMigration(slot: Int, from source: RedisEndpoint, to target: RedisEndpoint) throws {
        let targetID = try id(target)
        _ = try direct(target, "CLUSTER", "SETSLOT", String(slot), "NODE", targetID)
        _ = try direct(source, "CLUSTER", "SETSLOT", String(slot), "NODE", targetID)
        for node in try TestEnvironment.clusterNodes() where node != source && node != target {
            _ = try? direct(node, "CLUSTER", "SETSLOT", String(slot), "NODE", targetID)
        }
    }

    /// The whole move at once.
    public static func migrate(slot: Int, from source: RedisEndpoint, to target: RedisEndpoint) throws {
        try beginMigration(slot: slot, from: source, to: target)
        try moveKeys(slot: slot, from: source, to: target)
        try finishMigration(slot: slot, from: source, to: target)
    }
}
