import MMPCore
import MMPRedis

/// The queue as a library: what `mmp submit` / `mmp jobs` and the worker supervisor call.
///
/// One instance owns one Redis connection and is used by one thread at a time (the worker gives
/// each of its threads its own). Every state change is one Lua script (`QueueScripts`), and every
/// reply is read as a typed outcome or an error: an error reply is never taken for an answer.
/// Redis refusing for now (OOM, READONLY, LOADING ...) is thrown as a `.connection` error (retry).
public final class JobQueue: @unchecked Sendable {
    public let redis: RedisConnection
    public let settings: QueueSettings
    public let global: GlobalKeys
    private var knownQueues: Set<String> = []
    private var keyCache: [String: QueueKeys] = [:]
    /// Tests only: runs each script call in place of the connection (the declared-keys test runs
    /// every call as an ACL user allowed exactly the call's KEYS).
    var scriptRunner: (@Sendable ([ScriptCall]) throws -> [RedisReply])?

    public init(redis: RedisConnection, settings: QueueSettings) {
        self.redis = redis
        self.settings = settings
        self.global = GlobalKeys(prefix: settings.keyPrefix)
    }

    public func keys(_ queue: String) -> QueueKeys {
        if let k = keyCache[queue] { return k }
        let k = QueueKeys(prefix: settings.keyPrefix, queue: queue)
        keyCache[queue] = k
        return k
    }

    /// Loads every queue script into the server's cache (one round trip), so that no call in
    /// the hot path meets NOSCRIPT. Workers do it at start; after a Redis restart the first call
    /// of each script reloads it by itself.
    public func loadScripts() throws {
        let replies = try redis.pipeline(QueueScripts.all.map { RedisCommand("SCRIPT", "LOAD", $0.source) })
        for (script, reply) in zip(QueueScripts.all, replies) where reply.string != script.sha {
            if let e = reply.errorMessage { throw MMPError.redisReply(e, endpoint: redis.settings.endpoint, what: "SCRIPT LOAD \(script.name)") }
            throw MMPError(.internal, "redis \(redis.settings.endpoint): cannot load script \(script.name): unexpected reply")
        }
    }

    // MARK: Running scripts

    /// One script call: what a queue operation sends (the declared-keys test checks `keys`).
    struct ScriptCall: Sendable {
        var script: RedisScript
        var keys: [String]
        var arguments: [String]
    }

    /// Runs script calls in one round trip, then `after` (plain commands, such as WAIT) in the
    /// same one. Error replies of the scripts are thrown, typed (`MMPError.redisReply`); those of
    /// `after` are returned as values.
    func run(_ calls: [ScriptCall], after: [RedisCommand] = []) throws -> (replies: [RedisReply], after: [RedisReply]) {
        var replies: [RedisReply]
        var tail: [RedisReply] = []
        if let scriptRunner {
            replies = try scriptRunner(calls)
            if !after.isEmpty { tail = try redis.pipeline(after) }
        } else if after.isEmpty {
            replies = calls.count == 1
                ? [try redis.send(RedisConnection.evalCommand(calls[0].script, keys: calls[0].keys, arguments: calls[0].arguments, bySHA: true))]
                : try redis.pipeline(calls.map { RedisConnection.evalCommand($0.script, keys: $0.keys, arguments: $0.arguments, bySHA: true) })
        } else {
            let all = try redis.pipeline(calls.map { RedisConnection.evalCommand($0.script, keys: $0.keys, arguments: $0.arguments, bySHA: true) } + after)
            replies = Array(all[..<calls.count])
            tail = Array(all[calls.count...])
        }
        // A flushed script cache or a restarted server: the calls refused with NOSCRIPT did
        // nothing; send them again with their source (and `after` with them, as it followed).
        let missing = replies.indices.filter { replies[$0].errorMessage?.hasPrefix("NOSCRIPT") == true }
        if !missing.isEmpty {
            let again = try redis.pipeline(missing.map {
                RedisConnection.evalCommand(calls[$0].script, keys: calls[$0].keys, arguments: calls[$0].arguments, bySHA: false)
            } + after)
            for (i, index) in missing.enumerated() { replies[index] = again[i] }
            if !after.isEmpty { tail = Array(again[missing.count...]) }
        }
        for (call, reply) in zip(calls, replies) {
            if let e = reply.errorMessage { throw MMPError.redisReply(e, endpoint: redis.settings.endpoint, what: "script \(call.script.name)") }
        }
        return (replies, tail)
    }

    func run(_ script: RedisScript, keys: [String], arguments: [String]) throws -> RedisReply {
        try run([ScriptCall(script: script, keys: keys, arguments: arguments)]).replies[0]
    }

    /// A reply the queue did not expect (a bug, or another program writing the keys).
    func unexpected(_ what: String, _ reply: RedisReply) -> MMPError {
        MMPError(.internal, "redis \(redis.settings.endpoint): \(what): unexpected reply \(reply)")
    }

    // MARK: Durability

    /// With `queue.durability: replicas`, the WAIT that follows a write in the same round trip.
    var replicaWait: [RedisCommand] {
        guard settings.durability == .replicas else { return [] }
        return [RedisCommand("WAIT", "1", String(max(1, Int(settings.replicaTimeout * 1000))))]
    }

    /// How many replicas acknowledged (nil when durability is not `replicas`).
    func acknowledged(_ after: [RedisReply]) throws -> Int? {
        guard settings.durability == .replicas, let reply = after.last else { return nil }
        if let e = reply.errorMessage { throw MMPError.redisReply(e, endpoint: redis.settings.endpoint, what: "WAIT") }
        guard let n = reply.int else { throw unexpected("WAIT", reply) }
        return n
    }

    // MARK: Submit

    public struct SubmitRequest: Sendable {
        public var queue: String
        public var payload: JobPayload
        public var delay: Double = 0
        public var maxAttempts: Int?
        public var timeout: Double?
        public var idempotencyKey: String?

        public init(queue: String, payload: JobPayload, delay: Double = 0, maxAttempts: Int? = nil, timeout: Double? = nil,
                    idempotencyKey: String? = nil) {
            self.queue = queue; self.payload = payload; self.delay = delay; self.maxAttempts = maxAttempts
            self.timeout = timeout; self.idempotencyKey = idempotencyKey
        }
    }

    public struct Submitted: Sendable, Equatable {
        public var id: String
        /// False when the idempotency key named a job that was already queued or running.
        public var created: Bool
        /// With `queue.durability: replicas`: how many replicas had the job when submit returned
        /// (0 means only the master has it: a failover now could lose it). Nil otherwise.
        public var replicas: Int?
    }

    /// Enqueues a job (or returns the live job with the same idempotency key). One round trip;
    /// with an idempotency key, one more to read which job holds it (its record is a key the
    /// script reads, so it is declared).
    public func submit(_ request: SubmitRequest) throws -> Submitted {
        let queue = try QueueName.validated(request.queue)
        let payloadText = request.payload.json.serialized()
        let size = payloadText.utf8.count
        guard size <= settings.payloadLimit else {
            throw MMPError.invalidInput("job payload is \(JobQueue.sizeText(size)), over the limit of \(JobQueue.sizeText(settings.payloadLimit)) (queue.payload_limit); make the recipe's SQL or parameters smaller, or raise the limit")
        }
        if let a = request.maxAttempts, a < 1 { throw MMPError.invalidInput("--max-attempts must be at least 1, got \(a)") }
        if let t = request.timeout, t <= 0 { throw MMPError.invalidInput("--timeout must be positive") }
        if request.delay < 0 { throw MMPError.invalidInput("--delay must not be negative") }
        let key = request.idempotencyKey ?? ""
        guard key.utf8.count <= 256 else { throw MMPError.invalidInput("idempotency key is longer than 256 bytes") }
        let id = JobID.make(queue: queue, milliseconds: Clock.nowMillis())
        let k = keys(queue)
        let params = JSON.array(request.payload.params.map { .array([.string($0.0), .string($0.1)]) }).serialized()
        let fields = [
            "id", id, "queue", queue, "kind", request.payload.kind.rawValue,
            "recipe", request.payload.kind == .train ? request.payload.recipeName : request.payload.kind.rawValue,
            "recipe_file", request.payload.recipeFile, "params", params, "payload", payloadText,
            "max_attempts", String(request.maxAttempts ?? settings.maxAttempts),
            "max_deliveries", String(settings.maxDeliveries),
            "timeout_ms", String(Int((request.timeout ?? settings.jobTimeout) * 1000)),
            "idempotency_key", key,
        ]
        for _ in 0..<10 {
            var holder = ""
            if !key.isEmpty {
                let reply = try redis.send(RedisCommand("HGET", k.idempotency, key))
                if let e = reply.errorMessage { throw MMPError.redisReply(e, endpoint: redis.settings.endpoint, what: "HGET") }
                holder = reply.string ?? ""
            }
            let holderKey = holder.isEmpty || JobID.queue(of: holder) != queue ? k.job(id) : k.job(holder)
            let args = [id, key, String(Int(request.delay * 1000)), String(settings.eventsCap), String(settings.wakeCap), holder] + fields
            var after = replicaWait
            let registerQueue = !knownQueues.contains(queue)
            if registerQueue { after.insert(RedisCommand("SADD", global.queues, queue), at: 0) }
            let (replies, tail) = try run([ScriptCall(script: QueueScripts.submit,
                                                       keys: [k.job(id), k.pending, k.scheduled, k.events, k.idempotency, k.wake, holderKey],
                                                       arguments: args)], after: after)
            let items = replies[0].array ?? []
            if items.count == 1, items[0].string == "changed" { continue }
            guard items.count == 2, let returned = items[0].string, let created = items[1].int else { throw unexpected("submit", replies[0]) }
            if registerQueue {
                if let e = tail.first?.errorMessage { throw MMPError.redisReply(e, endpoint: redis.settings.endpoint, what: "SADD") }
                knownQueues.insert(queue)
            }
            return Submitted(id: returned, created: created == 1, replicas: try acknowledged(tail))
        }
        throw MMPError(.internal, "submit: the idempotency key '\(key)' changed hands ten times in a row; try again")
    }

    static func sizeText(_ bytes: Int) -> String {
        if bytes >= 1 << 20 { return "\(Double(bytes * 10 / (1 << 20)) / 10) MiB (\(bytes) bytes)" }
        if bytes >= 1 << 10 { return "\(Double(bytes * 10 / (1 << 10)) / 10) KiB (\(bytes) bytes)" }
        return "\(bytes) bytes"
    }

    /// The keys of the queue an id names, or an error saying the id is malformed.
    func keys(forJob id: String) throws -> QueueKeys {
        guard let queue = JobID.queue(of: id) else {
            throw MMPError.invalidInput("'\(id)' is not a job id (expected 20 letters and digits, '@', and a queue name, as printed by mmp submit)")
        }
        return keys(queue)
    }
}
