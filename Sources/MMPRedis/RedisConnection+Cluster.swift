import MMPCore

/// What a connection to a Redis Cluster keeps: the slot map and one link per node it talked to.
struct ClusterState {
    var map: ClusterSlotMap
    var links: [RedisEndpoint: RedisLink] = [:]
    /// Where the map can be read again: the node first named, then every master seen since.
    var seeds: [RedisEndpoint]
    /// A node failed: read the map again before the next command.
    var mapIsStale = false

    init(seed: RedisLink, settings: RedisSettings) throws {
        map = try ClusterSlotMap(clusterSlots: try seed.send(RedisCommand("CLUSTER", "SLOTS")), askedHost: seed.endpoint.host)
        links[seed.endpoint] = seed
        seeds = [seed.endpoint]
        for master in map.masters where !seeds.contains(master) { seeds.append(master) }
    }
}

/// Redis Cluster: each command goes to the master of its first key's slot; MOVED (read the map
/// again, send there), ASK (send there once, after ASKING) and TRYAGAIN/CLUSTERDOWN (wait, send
/// again) are followed, since each means the command did not run (ClusterCommandRoute decides).
/// Commands without keys go to the node used last. Two reads that name keys of several slots,
/// BLPOP/BRPOP and XREAD (a worker waiting on several queues, `mmp jobs watch`), are split by
/// slot: each slot's keys are looked at in turn, blocking at most `crossSlotSlice` on each.
extension RedisConnection {
    /// Longest wait on one slot's keys while a cross-slot BLPOP/XREAD waits on several: a job
    /// on another queue's node waits at most this much longer per other slot.
    static let crossSlotSlice = 0.2

    func clusterSend(_ cmd: RedisCommand, blockSeconds: Double) throws -> RedisReply {
        switch cmd.slot {
        case .slot(let slot):
            return try routed(cmd, slot: slot, blockSeconds: blockSeconds)
        case .crossSlot:
            switch cmd.name {
            case "BLPOP", "BRPOP": return try crossSlotPop(cmd)
            case "XREAD": return try crossSlotStreamRead(cmd)
            // Anything else spanning slots goes to its first key's node, which says CROSSSLOT.
            default: return try routed(cmd, slot: ClusterHashSlot.of(bytes: cmd.argument(cmd.keyPositions[0])), blockSeconds: blockSeconds)
            }
        case .none:
            let reply = try routed(cmd, slot: nil, blockSeconds: blockSeconds)
            if RedisConnection.isScriptCacheChange(cmd) { try broadcast([cmd]) }
            return reply
        }
    }

    /// Sends `cmd` to the master of `slot` (nil: the node used last) and follows redirects.
    func routed(_ cmd: RedisCommand, slot: Int?, blockSeconds: Double = 0) throws -> RedisReply {
        var route = ClusterCommandRoute()
        var target = try node(for: slot)
        var asking = false
        while true {
            let link = try clusterLink(target)
            roundTrips += 1
            let reply: RedisReply
            do {
                reply = asking ? try link.pipeline([RedisCommand("ASKING"), cmd])[1] : try link.send(cmd, blockSeconds: blockSeconds)
            } catch {
                linkFailed(link)
                throw error
            }
            primary = link
            switch route.next(after: reply, askedHost: target.host) {
            case .deliver:
                return reply
            case .resend(let to, let ask, let reloadMap):
                if ask { redirectsFollowed.ask += 1 } else { redirectsFollowed.moved += 1 }
                if reloadMap {
                    if let slot { cluster?.map.assign(slot...slot, to: to) }
                    try? reloadClusterMap()
                }
                target = to
                asking = ask
            case .retry(let delay, let reloadMap):
                redirectsFollowed.retries += 1
                Backoff.sleep(delay)
                if reloadMap { try? reloadClusterMap() }
                target = try node(for: slot)
                asking = false
            }
        }
    }

    /// The master of `slot` by the map; without a slot (or for a slot no master serves), the node used last.
    private func node(for slot: Int?) throws -> RedisEndpoint {
        guard let state = cluster else { throw MMPError(.connection, "redis \(settings.endpoint): not connected") }
        if let slot, let master = state.map.master(of: slot) { return master }
        if let primary, primary.isOpen { return primary.endpoint }
        if let master = state.map.masters.first { return master }
        return state.seeds[0]
    }

    /// The open link to `endpoint`, opened (and authenticated) when there is none.
    func clusterLink(_ endpoint: RedisEndpoint) throws -> RedisLink {
        if let link = cluster?.links[endpoint], link.isOpen { return link }
        let link = try openLink(endpoint)
        cluster?.links[endpoint] = link
        return link
    }

    /// Reads `CLUSTER SLOTS` from the first node that answers: the node used last, then the
    /// nodes first named and seen since.
    func reloadClusterMap() throws {
        guard let state = cluster else { return }
        var candidates: [RedisEndpoint] = []
        if let primary, primary.isOpen { candidates.append(primary.endpoint) }
        for endpoint in state.links.keys.sorted(by: { $0.description < $1.description }) + state.seeds where !candidates.contains(endpoint) {
            candidates.append(endpoint)
        }
        var problems: [String] = []
        for endpoint in candidates {
            do {
                let link = try clusterLink(endpoint)
                let reply: RedisReply
                do { reply = try link.send(RedisCommand("CLUSTER", "SLOTS")) } catch {
                    linkFailed(link)
                    throw error
                }
                let map = try ClusterSlotMap(clusterSlots: reply, askedHost: endpoint.host)
                guard map.coveredSlots > 0 else { problems.append("\(endpoint): serves no slot yet"); continue }
                cluster?.map = map
                for master in map.masters where cluster?.seeds.contains(master) == false { cluster?.seeds.append(master) }
                cluster?.mapIsStale = false
                return
            } catch {
                problems.append(MMPError.wrap(error).message)
            }
        }
        throw MMPError(.connection, "redis cluster (\(settings.server)): no node answered CLUSTER SLOTS: \(problems.joined(separator: "; "))")
    }

    // MARK: Pipelines

    /// One pipeline per node, commands in their order on each node; redirected replies are
    /// followed one by one afterwards. A command without keys goes with the one before it (TIME
    /// beside the reaper's reads, WAIT after the write it waits for).
    func clusterPipeline(_ commands: [RedisCommand]) throws -> [RedisReply] {
        var targets: [RedisEndpoint] = []
        var slots: [Int?] = []
        var previous = try node(for: nil)
        for cmd in commands {
            var slot: Int?
            switch cmd.slot {
            case .slot(let s): slot = s
            case .crossSlot: slot = ClusterHashSlot.of(bytes: cmd.argument(cmd.keyPositions[0]))
            case .none: slot = nil
            }
            let target = slot.flatMap { cluster?.map.master(of: $0) } ?? previous
            targets.append(target)
            slots.append(slot)
            previous = target
        }
        var order: [RedisEndpoint] = []
        var groups: [RedisEndpoint: [Int]] = [:]
        for (i, target) in targets.enumerated() {
            if groups[target] == nil { order.append(target) }
            groups[target, default: []].append(i)
        }
        var replies = [RedisReply](repeating: .null, count: commands.count)
        for endpoint in order {
            let indices = groups[endpoint]!
            let link = try clusterLink(endpoint)
            roundTrips += 1
            do {
                for (i, reply) in zip(indices, try link.pipeline(indices.map { commands[$0] })) { replies[i] = reply }
            } catch {
                linkFailed(link)
                throw error
            }
        }
        if let last = targets.last, let link = cluster?.links[last] { primary = link }
        let redirected = replies.indices.filter {
            replies[$0].errorMessage.flatMap { ClusterRedirect(error: $0, askedHost: targets[0].host) } != nil
        }
        if redirected.contains(where: { replies[$0].errorMessage?.hasPrefix("MOVED") == true }) { try? reloadClusterMap() }
        for i in redirected { replies[i] = try routed(commands[i], slot: slots[i]) }
        let scriptChanges = commands.filter(RedisConnection.isScriptCacheChange)
        if !scriptChanges.isEmpty { try broadcast(scriptChanges) }
        return replies
    }

    /// SCRIPT LOAD and SCRIPT FLUSH concern every master's script cache.
    static func isScriptCacheChange(_ cmd: RedisCommand) -> Bool {
        guard cmd.name == "SCRIPT", cmd.count > 1 else { return false }
        let sub = cmd.argumentText(1).uppercased()
        return sub == "LOAD" || sub == "FLUSH"
    }

    /// Sends `commands` to every master but the one that got them already (replies dropped: a
    /// master that missed a script loads it on its first NOSCRIPT).
    private func broadcast(_ commands: [RedisCommand]) throws {
        guard let state = cluster else { return }
        for master in state.map.masters where master != primary?.endpoint {
            let link = try clusterLink(master)
            roundTrips += 1
            do { _ = try link.pipeline(commands) } catch {
                linkFailed(link)
                throw error
            }
        }
    }

    // MARK: Reads across slots

    /// BLPOP/BRPOP over keys of several slots: a look at every key in order (LPOP/RPOP), then a
    /// short block on each slot's keys in turn, until one gives an element or the timeout passes.
    /// Like BLPOP, it takes at most one element, from the first key in order that has one.
    func crossSlotPop(_ cmd: RedisCommand) throws -> RedisReply {
        let keys = cmd.keyPositions.map(cmd.argumentText)
        let timeout = Double(cmd.argumentText(cmd.count - 1)) ?? 0
        let left = cmd.name == "BLPOP"
        let groups = RedisConnection.groupedBySlot(keys)
        let interrupts = sockets.interrupts
        let deadline = timeout > 0 ? Timestamp.monotonic() + timeout : .infinity
        while true {
            for key in keys {
                let reply = try routed(RedisCommand(left ? "LPOP" : "RPOP", key), slot: ClusterHashSlot.of(key))
                if reply.errorMessage != nil { return reply }
                if !reply.isNull { return .array([.bulk(Array(key.utf8)), reply]) }
            }
            for (slot, groupKeys) in groups {
                try checkInterrupts(since: interrupts)
                let remaining = deadline - Timestamp.monotonic()
                if remaining <= 0 { return .null }
                let slice = min(remaining, RedisConnection.crossSlotSlice)
                var block = RedisCommand(cmd.name)
                block.append(groupKeys)
                block.append(RedisConnection.secondsText(slice))
                let reply = try routed(block, slot: slot, blockSeconds: slice)
                if !reply.isNull { return reply }
            }
        }
    }

    /// XREAD over streams of several slots: one XREAD per slot, replies merged; with BLOCK, a
    /// look at every slot, then a short block on each in turn. `$` is read as each stream's last
    /// id first, so nothing added between two turns is missed.
    func crossSlotStreamRead(_ cmd: RedisCommand) throws -> RedisReply {
        var count: String?
        var blockMillis: Int?
        var i = 1
        while i < cmd.count {
            let word = cmd.argumentText(i).uppercased()
            if word == "COUNT", i + 1 < cmd.count { count = cmd.argumentText(i + 1); i += 2 } else if word == "BLOCK", i + 1 < cmd.count {
                blockMillis = Int(cmd.argumentText(i + 1)); i += 2
            } else { break }
        }
        let keyPositions = cmd.keyPositions
        var streams: [(key: String, id: String)] = keyPositions.map { position in
            (cmd.argumentText(position), cmd.argumentText(position + keyPositions.count))
        }
        for index in streams.indices where streams[index].id == "$" {
            let last = try routed(RedisCommand("XREVRANGE", streams[index].key, "+", "-", "COUNT", "1"), slot: ClusterHashSlot.of(streams[index].key))
            streams[index].id = last.array?.first?.array?.first?.string ?? "0-0"
        }
        let groups = RedisConnection.groupedBySlot(streams.map(\.key))
        let ids = Dictionary(streams.map { ($0.key, $0.id) }, uniquingKeysWith: { a, _ in a })
        func read(_ slot: Int, _ keys: [String], blockMillis: Int?) throws -> RedisReply {
            var read = RedisCommand("XREAD")
            if let count { read.append(["COUNT", count]) }
            if let blockMillis { read.append(["BLOCK", String(blockMillis)]) }
            read.append("STREAMS")
            read.append(keys)
            read.append(keys.map { ids[$0]! })
            return try routed(read, slot: slot, blockSeconds: Double(blockMillis ?? 0) / 1000)
        }
        func look() throws -> RedisReply? {
            var merged: [RedisReply] = []
            for (slot, keys) in groups {
                let reply = try read(slot, keys, blockMillis: nil)
                if reply.errorMessage != nil { return reply }
                merged += reply.array ?? []
            }
            return merged.isEmpty ? nil : .array(merged)
        }
        guard let blockMillis else { return try look() ?? .null }
        let interrupts = sockets.interrupts
        let deadline = blockMillis > 0 ? Timestamp.monotonic() + Double(blockMillis) / 1000 : .infinity
        while true {
            if let found = try look() { return found }
            for (slot, keys) in groups {
                try checkInterrupts(since: interrupts)
                let remaining = deadline - Timestamp.monotonic()
                if remaining <= 0 { return .null }
                let slice = max(1, Int(min(remaining, RedisConnection.crossSlotSlice) * 1000))
                let reply = try read(slot, keys, blockMillis: slice)
                if !reply.isNull { return reply }
            }
        }
    }

    private func checkInterrupts(since count: Int) throws {
        if sockets.interrupts != count {
            throw MMPError(.connection, "redis \(settings.endpoint): wait interrupted")
        }
    }

    /// Keys by slot, slots in the order their first key comes.
    static func groupedBySlot(_ keys: [String]) -> [(slot: Int, keys: [String])] {
        var out: [(slot: Int, keys: [String])] = []
        for key in keys {
            let slot = ClusterHashSlot.of(key)
            if let i = out.firstIndex(where: { $0.slot == slot }) { out[i].keys.append(key) } else { out.append((slot, [key])) }
        }
        return out
    }

    /// Seconds as Redis reads a blocking timeout (`0.200`).
    static func secondsText(_ value: Double) -> String {
        let ms = max(1, Int((value * 1000).rounded()))
        let fraction = String(ms % 1000)
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
