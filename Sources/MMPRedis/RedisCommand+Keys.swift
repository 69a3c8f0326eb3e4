/// Which arguments of a command are keys: what a Redis Cluster client routes by (the first key's
/// slot picks the node) and checks (a command whose keys span slots cannot run on one node).
/// Covers the commands mmp sends and the common rest; anything unknown has its key at index 1,
/// as most Redis commands do.
extension RedisCommand {
    /// The argument at `index` (0 is the command's name).
    public func argument(_ index: Int) -> ArraySlice<UInt8> {
        var offset = 0
        for i in 0..<index { offset += lengths[i] }
        return storage[offset..<(offset + lengths[index])]
    }

    func argumentText(_ index: Int) -> String { String(decoding: argument(index), as: UTF8.self) }

    func argumentInt(_ index: Int) -> Int? { index < count ? Int(argumentText(index)) : nil }

    /// Positions of the key arguments, in order; empty for commands without keys.
    public var keyPositions: [Int] {
        guard count > 0 else { return [] }
        let name = self.name
        if RedisCommand.keyless.contains(name) { return [] }
        switch name {
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            return counted(at: 2)
        case "BLPOP", "BRPOP", "BZPOPMIN", "BZPOPMAX":
            return Array(1..<max(1, count - 1))
        case "DEL", "UNLINK", "EXISTS", "MGET", "TOUCH", "WATCH", "SINTER", "SUNION", "SDIFF", "SINTERSTORE", "SUNIONSTORE",
             "SDIFFSTORE", "PFCOUNT", "PFMERGE":
            return Array(1..<count)
        case "MSET", "MSETNX":
            return Array(stride(from: 1, to: count, by: 2))
        case "RPOPLPUSH", "LMOVE", "BLMOVE", "BRPOPLPUSH", "SMOVE", "RENAME", "RENAMENX", "COPY", "GEOSEARCHSTORE", "ZRANGESTORE":
            return Array(1..<min(3, count))
        case "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE":
            return [1] + counted(at: 2)
        case "ZUNION", "ZINTER", "ZDIFF", "SINTERCARD", "ZINTERCARD", "LMPOP", "ZMPOP":
            return counted(at: 1)
        case "BLMPOP", "BZMPOP":
            return counted(at: 2)
        case "BITOP":
            return Array(2..<count)
        case "XREAD", "XREADGROUP":
            guard let streams = (1..<count).first(where: { argumentText($0).uppercased() == "STREAMS" }) else { return [] }
            let rest = count - streams - 1
            return Array((streams + 1)..<(streams + 1 + rest / 2))
        case "OBJECT", "MEMORY", "XINFO", "XGROUP":
            return count > 2 ? [2] : []
        default:
            return count > 1 ? [1] : []
        }
    }

    /// `numkeys` at `index`, then that many keys.
    private func counted(at index: Int) -> [Int] {
        guard let n = argumentInt(index), n > 0 else { return [] }
        return Array((index + 1)..<min(count, index + 1 + n))
    }

    /// The slot every key of the command is in: `.none` without keys, `.crossSlot` when they differ.
    public var slot: CommandSlot {
        var found: Int?
        for position in keyPositions {
            let s = ClusterHashSlot.of(bytes: argument(position))
            if let f = found, f != s { return .crossSlot }
            found = s
        }
        return found.map(CommandSlot.slot) ?? .none
    }

    /// Commands that name no key; a cluster client sends them to any node (mmp: the node it used last).
    static let keyless: Set<String> = [
        "PING", "ECHO", "INFO", "TIME", "SCRIPT", "CLUSTER", "CLIENT", "CONFIG", "AUTH", "SELECT", "HELLO", "QUIT", "RESET",
        "SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "PUBLISH", "PUBSUB", "DBSIZE", "FLUSHALL", "FLUSHDB", "WAIT",
        "COMMAND", "ACL", "DEBUG", "ROLE", "READONLY", "READWRITE", "ASKING", "MULTI", "EXEC", "DISCARD", "UNWATCH", "LASTSAVE",
        "SAVE", "BGSAVE", "BGREWRITEAOF", "SHUTDOWN", "SLOWLOG", "LATENCY", "RANDOMKEY", "SCAN", "KEYS", "SWAPDB", "MONITOR",
        "FUNCTION", "SENTINEL", "REPLICAOF", "SLAVEOF", "FAILOVER", "MODULE", "LOLWUT", "MIGRATE", "SYNC", "PSYNC", "REPLCONF",
    ]
}

/// Where a command's keys live in a cluster.
public enum CommandSlot: Sendable, Equatable {
    /// No key: any node serves it.
    case none
    case slot(Int)
    /// Keys in different slots: no single node can run it.
    case crossSlot
}
