import MMPCore
import MMPRedis

/// A worker's registration (`mmp:worker:<id>`, refreshed on every heartbeat, expiring when the
/// worker stops): what `mmp workers` shows.
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

    public init(id: String, host: String, pid: Int, version: String, queues: [String], concurrency: Int, jobs: [String] = [],
                state: String = "running", startedAt: Int, heartbeatAt: Int) {
        self.id = id; self.host = host; self.pid = pid; self.version = version; self.queues = queues
        self.concurrency = concurrency; self.jobs = jobs; self.state = state; self.startedAt = startedAt; self.heartbeatAt = heartbeatAt
    }

    init?(fields f: [String: String]) {
        guard let id = f["id"] else { return nil }
        self.init(id: id, host: f["host"] ?? "", pid: Int(f["pid"] ?? "") ?? 0, version: f["version"] ?? "",
                  queues: (f["queues"] ?? "").split(separator: ",").map(String.init), concurrency: Int(f["concurrency"] ?? "") ?? 0,
                  jobs: (f["jobs"] ?? "").split(separator: ",").map(String.init), state: f["state"] ?? "",
                  startedAt: Int(f["started_at"] ?? "") ?? 0, heartbeatAt: Int(f["heartbeat_at"] ?? "") ?? 0)
    }

    public var json: JSON {
        ["id": .string(id), "host": .string(host), "pid": .int(pid), "version": .string(version),
         "queues": .array(queues.map(JSON.string)), "concurrency": .int(concurrency), "jobs": .array(jobs.map(JSON.string)),
         "state": .string(state), "started_at": .string(Timestamp.iso8601(Double(startedAt) / 1000)),
         "last_heartbeat_at": .string(Timestamp.iso8601(Double(heartbeatAt) / 1000))]
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
                         "started_at", String(info.startedAt), "heartbeat_at", String(info.heartbeatAt)),
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
