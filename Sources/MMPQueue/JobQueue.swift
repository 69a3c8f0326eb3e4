import MMPCore
import MMPRedis

/// The queue as a library: what `mmp submit` / `mmp jobs` and the worker supervisor call.
///
/// One instance owns one Redis connection and is used by one thread at a time (the worker gives
/// each of its threads its own). Every state change is one Lua script (`QueueScripts`).
public final class JobQueue: @unchecked Sendable {
    public let redis: RedisConnection
    public let settings: QueueSettings
    public let global: GlobalKeys
    private var knownQueues: Set<String> = []
    private var keyCache: [String: QueueKeys] = [:]

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
            throw MMPError(.internal, "redis \(redis.settings.endpoint): cannot load script \(script.name): \(reply.errorMessage ?? "unexpected reply")")
        }
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
    }

    /// Enqueues a job (or returns the live job with the same idempotency key). One round trip.
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
        var args = [id, key, String(Int(request.delay * 1000)), String(settings.eventsCap), String(settings.wakeCap)]
        args += [
            "id", id, "queue", queue, "kind", request.payload.kind.rawValue,
            "recipe", request.payload.kind == .train ? request.payload.recipeName : request.payload.kind.rawValue,
            "recipe_file", request.payload.recipeFile, "params", params, "payload", payloadText,
            "max_attempts", String(request.maxAttempts ?? settings.maxAttempts),
            "max_deliveries", String(settings.maxDeliveries),
            "timeout_ms", String(Int((request.timeout ?? settings.jobTimeout) * 1000)),
            "idempotency_key", key,
        ]
        var commands = [RedisConnection.evalCommand(QueueScripts.submit, keys: [k.job(id), k.pending, k.scheduled, k.events, k.idempotency, k.wake],
                                                    arguments: args, bySHA: true)]
        let registerQueue = !knownQueues.contains(queue)
        if registerQueue { commands.append(RedisCommand("SADD", global.queues, queue)) }
        var replies = try redis.pipeline(commands)
        if replies[0].errorMessage?.hasPrefix("NOSCRIPT") == true {
            replies[0] = try redis.evaluate(QueueScripts.submit, keys: [k.job(id), k.pending, k.scheduled, k.events, k.idempotency, k.wake],
                                            arguments: args)
        }
        if let e = replies[0].errorMessage { throw MMPError(.internal, "redis \(redis.settings.endpoint): submit failed: \(e)") }
        if registerQueue { knownQueues.insert(queue) }
        guard let items = replies[0].array, items.count == 2, let returned = items[0].string else {
            throw MMPError(.internal, "submit: unexpected reply \(replies[0])")
        }
        return Submitted(id: returned, created: items[1].int == 1)
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
