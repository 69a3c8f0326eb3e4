import MMPCore

/// Which master serves each of the 16384 slots, as `CLUSTER SLOTS` tells it. A value (no I/O):
/// the connection loads it at connect and again after a MOVED.
public struct ClusterSlotMap: Sendable, Equatable {
    /// Masters in the order the map names them.
    public private(set) var masters: [RedisEndpoint] = []
    /// Slot → index in `masters`, -1 for a slot no master serves.
    private var owner = [Int16](repeating: -1, count: ClusterHashSlot.count)

    public init() {}

    /// From `(first slot, last slot, master)` ranges.
    public init(ranges: [(ClosedRange<Int>, RedisEndpoint)]) {
        for (range, master) in ranges { assign(range, to: master) }
    }

    /// Parses a `CLUSTER SLOTS` reply: `[[start, end, [ip, port, id, ...], replicas...], ...]`.
    /// A node listed with an empty or `?` address is on the host that was asked (`askedHost`).
    public init(clusterSlots reply: RedisReply, askedHost: String) throws {
        guard let entries = reply.array else {
            throw MMPError(.connection, "CLUSTER SLOTS: expected an array, got \(reply.errorMessage ?? "\(reply)")")
        }
        for entry in entries {
            guard let parts = entry.array, parts.count >= 3, let start = parts[0].int, let end = parts[1].int,
                  0 <= start, start <= end, end < ClusterHashSlot.count,
                  let node = parts[2].array, node.count >= 2, let port = node[1].int else {
                throw MMPError(.connection, "CLUSTER SLOTS: cannot read the entry \(entry)")
            }
            var host = node[0].string ?? ""
            if host.isEmpty || host == "?" { host = askedHost }
            assign(start...end, to: RedisEndpoint(host: host, port: port))
        }
    }

    /// The master serving `slot`, nil when none does (a cluster being set up, or a lost shard).
    public func master(of slot: Int) -> RedisEndpoint? {
        let index = owner[slot]
        return index < 0 ? nil : masters[Int(index)]
    }

    /// How many slots have a master.
    public var coveredSlots: Int { owner.reduce(0) { $0 + ($1 < 0 ? 0 : 1) } }

    /// Records what a MOVED said, before the whole map is read again.
    public mutating func assign(_ slots: ClosedRange<Int>, to master: RedisEndpoint) {
        let index: Int
        if let i = masters.firstIndex(of: master) { index = i } else {
            masters.append(master)
            index = masters.count - 1
        }
        for slot in slots { owner[slot] = Int16(index) }
    }
}
