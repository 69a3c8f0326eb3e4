import MMPCore
import MMPRedis

/// One entry of a queue's events stream (`mmp:{queue}:events`).
public struct QueueEvent: Sendable, Equatable {
    /// The stream entry id (`<ms>-<seq>`).
    public var streamID: String
    public var queue: String
    public var fields: [String: String]

    public var job: String { fields["job"] ?? "" }
    /// submitted, started, stage, stage_done, progress, succeeded, retry_scheduled, failed, dead,
    /// cancel_requested, cancelled, requeued, lease_expired, queued, retried.
    public var name: String { fields["event"] ?? "" }
    public var state: String { fields["state"] ?? "" }
    public var progress: Double? { fields["progress"].flatMap(Double.init) }
    public var stage: String? { fields["stage"].flatMap { $0.isEmpty ? nil : $0 } }

    public var json: JSON {
        var o = JSONObject()
        o["stream_id"] = .string(streamID)
        o["queue"] = .string(queue)
        for key in fields.keys.sorted() { o[key] = .string(fields[key]!) }
        return .object(o)
    }
}

extension JobQueue {
    /// Reads events after the given stream ids (`$` for "from now"), waiting up to `block`
    /// seconds when none is there. Returns the events and the ids to continue from.
    public func events(after positions: [String: String], block: Double, count: Int = 500) throws -> ([QueueEvent], [String: String]) {
        let queues = positions.keys.sorted()
        var cmd = RedisCommand("XREAD", "COUNT", String(count))
        if block > 0 { cmd.append(["BLOCK", String(Int(block * 1000))]) }
        cmd.append("STREAMS")
        for q in queues { cmd.append(keys(q).events) }
        for q in queues { cmd.append(positions[q]!) }
        let reply = try redis.send(cmd, blockSeconds: block)
        if let e = reply.errorMessage { throw MMPError.redisReply(e, endpoint: redis.settings.endpoint, what: "XREAD") }
        var next = positions
        var out: [QueueEvent] = []
        for stream in reply.array ?? [] {
            guard let parts = stream.array, parts.count == 2, let key = parts[0].string,
                  let queue = queues.first(where: { keys($0).events == key }) else { continue }
            for entry in parts[1].array ?? [] {
                guard let e = entry.array, e.count == 2, let sid = e[0].string else { continue }
                out.append(QueueEvent(streamID: sid, queue: queue, fields: e[1].dictionary))
                next[queue] = sid
            }
        }
        return (out, next)
    }

    /// The id of the newest event of a queue (`0` when none), to start following from now
    /// without missing what happens next.
    public func lastEventID(_ queue: String) throws -> String {
        let reply = try checked(redis.pipeline([RedisCommand("XREVRANGE", keys(queue).events, "+", "-", "COUNT", "1")]), "XREVRANGE")[0]
        return reply.array?.first?.array?.first?.string ?? "0"
    }
}
