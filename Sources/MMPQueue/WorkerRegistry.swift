import MMPCore
import MMPRedis

/// A worker's registration (`P:{@}:worker:<id>`, refreshed on every heartbeat, expiring when
/// the worker stops): what `mmp workers` and the dashboard's workers page show.
public struct WorkerInfo: Sendable, Equatable {
    public var id: String
    public var host: String
    public var pid: Int
    public var version: String
    public var queues: [String]
    public var concurrency: Int
    /// Ids of the jobs it runs now.
    public var jobs: [String]
    /// running | draining
    public var state: String
    public var startedAt: Int
    public var heartbeatAt: Int
    /// What each slot runs: job ids per slot (a batch of inline jobs holds several), in slot
    /// order; empty for a registration from a worker older than the field.
    public var slots: [[String]] = []
    /// The supervisor's resident memory at its last heartbeat (bytes; 0 when unknown). Job
    /// processes are not counted: they are children with memory of their own.
    public var rssBytes = 0

    public init(id: String, host: String, pid: Int, version: String, queues: [String], concurrency: Int, jobs: [String] = [],
                state: String = "running", startedAt: Int, heartbeatAt: Int, slots: [[String]] = [], rssBytes: Int = 0) {
        self.id = id; self.host = host; self.pid = pid; self.version = version; self.queues = queues
        self.concurrency = concurrency; self.jobs = jobs; self.state = state; self.startedAt = startedAt; self.heartbeatAt = heartbeatAt
        self.slots = slots; self.rssBytes = rssBytes
    }

    /// Slots running something now.
    public var busySlots: Int { slots.isEmpty ? min(concurrency, jobs.isEmpty ? 0 : 1) : slots.filter { !$0.isEmpty }.count }

    init?(fields f: [String: String]) {
        guard let id = f["id"] else { return nil }
        self.init(id: id, host: f["host"] ?? "", pid: Int(f["pid"] ?? "") ?? 0, version: f["version"] ?? "",
                  queues: (f["queues"] ?? "").split(separator: ",").map(String.init), concurrency: Int(f["concurrency"] ?? "") ?? 0,
                  jobs: (f["jobs"] ?? "").split(separator: ",").map(String.init), state: f["state"] ?? "",
                  startedAt: Int(f["started_at"] ?? "") ?? 0, heartbeatAt: Int(f["heartbeat_at"] ?? "") ?? 0,
                  slots: WorkerInfo.slots(f["slots"] ?? ""),
                  rssBytes: Int(f["rss_bytes"] ?? "") ?? 0)
    }

    /// `a,b;;c`: jobs per slot, slots split by `;` (an empty text: no slot recorded).
    static func slots(_ text: String) -> [[String]] {
        text.isEmpty ? [] : text.split(separator: ";", omittingEmptySubsequences: false).map { $0.split(separator: ",").map(String.init) }
    }

    public var json: JSON {
        ["id": .string(id), "host": .string(host), "pid": .int(pid), "version": .string(version),
         "queues": .array(queues.map(JSON.string)), "concurrency": .int(concurrency), "jobs": .array(jobs.map(JSON.string)),
         "state": .string(state), "started_at": .string(Timestamp.iso8601(Double(startedAt) / 1000)),
         "last_heartbeat_at": .string(Timestamp.iso8601(Double(heartbeatAt) / 1000)),
         "slots": .array(slots.map { .array($0.map(JSON.string)) }), "rss_bytes": .int(rssBytes)]
    }
}

extension JobQueue {
    /// The commands that register or refresh a worker (sent with the heartbeat, one round trip).
    public func registrationCommands(_ info: WorkerInfo, ttl: Double) -> [RedisCommand] {
        let key = global.worker(info.id)
        return [
            RedisCommand("HSET", key, "id", info.id, "host", info.host, "pid", String(info.pid), "version", info.version,
                         "queues", info.queues.joined(separator: ","), "concurrency", String(info.concurrency),
                         "jobs", info.jobs.joined(separator: ","), "state", info.state,
                         "started_at", String(info.startedAt), "heartbeat_at", String(info.heartbeatAt),
                         "slots", info.slots.map { $0.joined(separator: ",") }.joined(separator: ";"), "rss_bytes", String(info.rssBytes)),
            RedisCommand("PEXPIRE", key, String(Int(ttl * 1000))),
            RedisCommand("ZADD", global.workers, String(info.heartbeatAt), info.id),
            // Forget registrations that stopped long ago (their hashes have expired).
            RedisCommand("ZREMRANGEBYSCORE", global.workers, "-inf", String(info.heartbeatAt - 3_600_000)),
        ]
    }

    /// Registers or refreshes a worker (one round trip). Error replies are thrown, typed.
    public func register(_ info: WorkerInfo, ttl: Double) throws {
        _ = try checked(redis.pipeline(registrationCommands(info, ttl: ttl)), "worker registration")
    }

    public func unregister(worker id: String) throws {
        _ = try checked(redis.pipeline([RedisCommand("DEL", global.worker(id)), RedisCommand("ZREM", global.workers, id)]), "unregister")
    }

    /// Live workers (their registration has not expired), most recently seen first.
    public func workers() throws -> [WorkerInfo] {
        let ids = (try checked(redis.pipeline([RedisCommand("ZREVRANGE", global.workers, "0", "999")]), "ZREVRANGE")[0].array ?? []).compactMap(\.string)
        let replies = try checked(redis.pipeline(ids.map { RedisCommand("HGETALL", global.worker($0)) }), "HGETALL")
        return replies.compactMap { WorkerInfo(fields: $0.dictionary) }
    }
}
