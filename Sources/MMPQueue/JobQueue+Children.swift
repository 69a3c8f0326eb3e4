import MMPCore
import MMPRedis

/// Parents and children (ChildScripts.swift): what a worker sends at the end of a parent's step,
/// what settles a waiting parent, and the reads `mmp jobs show` and a parent's next step make.
extension JobQueue {
    /// One child a parent's step asks for.
    public struct ChildSpec: Sendable, Equatable {
        public var payload: JobPayload
        /// What `mmp jobs` shows in the recipe column (`shard 3/8`, `trial 12`).
        public var label: String
        public var maxAttempts: Int?
        public var timeout: Double?

        public init(payload: JobPayload, label: String, maxAttempts: Int? = nil, timeout: Double? = nil) {
            self.payload = payload; self.label = label; self.maxAttempts = maxAttempts; self.timeout = timeout
        }
    }

    /// When a waiting parent's next step runs.
    public enum WakeOn: String, Sendable {
        /// When every child has ended (batch scoring).
        case all
        /// When one more child has ended than the step saw (a tuning parent keeps N in flight).
        case any
    }

    public enum SpawnOutcome: Sendable, Equatable {
        /// The children exist and the parent waits; `children` counts all of its children.
        case spawned(children: Int, ids: [String])
        /// The parent's cancel was requested while the step ran: no children; it ends cancelled.
        case cancelled
        /// Recorded earlier by this same lease (a resent write whose reply was lost).
        case already(String)
        /// The lease is no longer ours.
        case stale
    }

    /// Ends a parent's step: creates `children` (queued, in the parent's queue) and parks the
    /// parent in `waiting`, in one script fenced by the parent's lease.
    public func spawn(_ lease: Lease, children: [ChildSpec], wakeOn: WakeOn, seen: Int) throws -> SpawnOutcome {
        let k = keys(lease.queue)
        let base = Clock.nowMillis()
        let ids = children.indices.map { _ in JobID.make(queue: lease.queue, milliseconds: base) }
        let common = ["queue", lease.queue, "max_deliveries", String(settings.maxDeliveries)]
        var args = [lease.id, lease.token, String(settings.eventsCap), String(settings.wakeCap), wakeOn.rawValue, String(seen),
                    String(children.count), String(common.count / 2)] + common
        for (id, child) in zip(ids, children) {
            let text = child.payload.json.serialized()
            guard text.utf8.count <= settings.payloadLimit else {
                throw MMPError.invalidInput("a child job's payload is \(JobQueue.sizeText(text.utf8.count)), over queue.payload_limit")
            }
            args += [id, child.payload.kind.rawValue, child.label, text, String(child.maxAttempts ?? settings.maxAttempts),
                     String(Int((child.timeout ?? settings.jobTimeout) * 1000))]
        }
        let reply = try run(QueueScripts.spawn,
                            keys: [k.job(lease.id), k.active, k.waiting, k.pending, k.events, k.wake, k.children(lease.id)] + ids.map(k.job),
                            arguments: args)
        let items = reply.array ?? []
        switch (items.first?.string, items.count) {
        case ("ok"?, 2):
            return .spawned(children: items[1].int ?? children.count, ids: ids)
        case ("cancelled"?, 1):
            _ = try? settle(lease.id)
            return .cancelled
        case ("stale"?, 1): return .stale
        case ("already"?, 2): return .already(items[1].string ?? "")
        default: throw unexpected("spawn", reply)
        }
    }

    public enum SettleOutcome: String, Sendable {
        case woken, waiting, cancelled
        case notWaiting = "not_waiting"
    }

    /// Recounts a parent's children (its progress) and wakes it when its `wake_on` is met.
    /// Idempotent: workers call it after a child's verdict and for every waiting parent each
    /// reaper interval (a worker killed between the two loses nothing).
    @discardableResult
    public func settle(_ parent: String) throws -> (outcome: SettleOutcome, done: Int, children: Int) {
        let k = try keys(forJob: parent)
        for _ in 0..<10 {
            let ids = try childIDs(parent)
            let reply = try run(QueueScripts.settle,
                                keys: [k.job(parent), k.waiting, k.pending, k.wake, k.events, k.children(parent), k.cancelled, k.idempotency]
                                    + ids.map(k.job),
                                arguments: [parent, String(settings.eventsCap), String(settings.wakeCap), String(ids.count),
                                            String(Int(settings.resultTTL))] + ids)
            let items = reply.array ?? []
            guard items.count == 3, let word = items[0].string else { throw unexpected("settle", reply) }
            if word == "changed" { continue }
            guard let outcome = SettleOutcome(rawValue: word) else { throw unexpected("settle", reply) }
            return (outcome, items[1].int ?? 0, items[2].int ?? 0)
        }
        throw MMPError(.internal, "settle \(parent): its children list kept changing; try again")
    }

    /// Settles every waiting parent of `queue` (up to `limit`, oldest first); returns how many woke.
    @discardableResult
    public func settleWaiting(queue: String, limit: Int = 100) throws -> Int {
        let k = keys(queue)
        let reply = try checked(redis.pipeline([RedisCommand("ZRANGE", k.waiting, "0", String(limit - 1))]), "ZRANGE")[0]
        var woken = 0
        for id in (reply.array ?? []).compactMap(\.string) where JobID.queue(of: id) == queue {
            if try settle(id).outcome == .woken { woken += 1 }
        }
        return woken
    }

    /// The ids of a parent's children, in the order they were spawned.
    public func childIDs(_ parent: String) throws -> [String] {
        let k = try keys(forJob: parent)
        let reply = try checked(redis.pipeline([RedisCommand("LRANGE", k.children(parent), "0", "-1")]), "LRANGE")[0]
        return (reply.array ?? []).compactMap(\.string)
    }

    /// A parent's children's records, in spawn order (two round trips). A child whose record
    /// expired is left out.
    public func children(of parent: String) throws -> [JobRecord] {
        let ids = try childIDs(parent)
        guard !ids.isEmpty else { return [] }
        let k = try keys(forJob: parent)
        let replies = try checked(redis.pipeline(ids.map { RedisCommand("HGETALL", k.job($0)) }), "HGETALL")
        return replies.compactMap { reply in
            let fields = reply.dictionary
            return fields.isEmpty ? nil : JobRecord(fields: fields)
        }
    }

    public struct TreeCancel: Sendable, Equatable {
        public var parent: CancelOutcome
        public var childrenCancelled: Int
        public var childrenCancelling: Int
    }

    /// Cancels a job and its children in one script (a job without children: as `cancel`).
    public func cancelTree(_ id: String) throws -> TreeCancel {
        let k = try keys(forJob: id)
        for _ in 0..<10 {
            let ids = try childIDs(id)
            let reply = try run(QueueScripts.cancelTree,
                                keys: [k.job(id), k.pending, k.scheduled, k.cancelled, k.events, k.idempotency, k.waiting, k.children(id)]
                                    + ids.map(k.job),
                                arguments: [id, String(Int(settings.resultTTL)), String(settings.eventsCap), k.cancelChannel, String(ids.count)] + ids)
            let items = reply.array ?? []
            guard items.count == 4, let word = items[0].string else { throw unexpected("cancel-tree", reply) }
            let cancelled = items[2].int ?? 0, cancelling = items[3].int ?? 0
            switch word {
            case "changed": continue
            case "missing": throw MMPError.notFound("job \(id) not found (it never existed, or its record expired)")
            case "cancelled": return TreeCancel(parent: .cancelled, childrenCancelled: cancelled, childrenCancelling: cancelling)
            case "cancelling": return TreeCancel(parent: .cancelling, childrenCancelled: cancelled, childrenCancelling: cancelling)
            case "terminal": return TreeCancel(parent: .alreadyFinished(items[1].string ?? ""), childrenCancelled: 0, childrenCancelling: 0)
            default: throw unexpected("cancel-tree", reply)
            }
        }
        throw MMPError(.internal, "cancel \(id): its children list kept changing; try again")
    }
}
