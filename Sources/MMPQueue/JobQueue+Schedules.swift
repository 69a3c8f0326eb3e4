import MMPCore
import MMPRedis

/// Schedules (ScheduleScripts.swift): what `mmp schedule` calls, and the clock check every
/// worker runs.
extension JobQueue {
    public struct ScheduleState: Sendable {
        public var definition: ScheduleDefinition
        public var paused: Bool
        /// Next fire time (UTC ms); nil when paused or it never fires again.
        public var nextFire: Int?
        public var lastFire: Int?
        public var lastJob: String?
        public var lastLate: Bool
        public var fires: Int

        public var json: JSON {
            func time(_ ms: Int?) -> JSON { ms.map { .string(Timestamp.iso8601(Double($0) / 1000)) } ?? .null }
            var o = definition.json.objectValue ?? JSONObject()
            o["offsets"] = nil
            o["paused"] = .bool(paused)
            o["next_fire"] = time(nextFire)
            o["last_fire"] = time(lastFire)
            o["last_job"] = lastJob.map(JSON.string) ?? .null
            o["last_late"] = .bool(lastLate)
            o["fires"] = .int(fires)
            return .object(o)
        }
    }

    /// Adds (or replaces) a schedule; its first fire is the first fire time after now.
    public func addSchedule(_ definition: ScheduleDefinition) throws -> Int? {
        let queue = try QueueName.validated(definition.queue)
        let k = keys(queue)
        let next = definition.next(after: Int64(Clock.nowMillis() / 1000)).map { Int($0) * 1000 }
        var commands = [RedisCommand("SADD", global.queues, queue), RedisCommand("SADD", k.schedules, definition.name),
                        RedisCommand("HSET", k.schedule(definition.name), "definition", definition.json.serialized(), "paused", "0")]
        commands.append(next.map { RedisCommand("ZADD", k.scheduleDue, String($0), definition.name) } ?? RedisCommand("ZREM", k.scheduleDue, definition.name))
        _ = try checked(redis.pipeline(commands), "schedule add")
        return next
    }

    /// Every schedule of `queues` (default: every queue), by queue then name.
    public func schedules(queues: [String]? = nil) throws -> [ScheduleState] {
        var out: [ScheduleState] = []
        for q in try queues ?? queueNames() {
            let names = (try checked(redis.pipeline([RedisCommand("SMEMBERS", keys(q).schedules)]), "SMEMBERS")[0].array ?? []).compactMap(\.string)
            for name in names.sorted() { if let s = try schedule(name, queue: q) { out.append(s) } }
        }
        return out
    }

    public func schedule(_ name: String, queue: String) throws -> ScheduleState? {
        let k = keys(queue)
        let replies = try checked(redis.pipeline([RedisCommand("HGETALL", k.schedule(name)), RedisCommand("ZSCORE", k.scheduleDue, name)]), "schedule")
        let f = replies[0].dictionary
        guard let text = f["definition"] else { return nil }
        let definition = try ScheduleDefinition(json: try JSON.parse(text))
        return ScheduleState(definition: definition, paused: f["paused"] == "1", nextFire: replies[1].string.flatMap { Int($0) },
                             lastFire: f["last_fire"].flatMap { Int($0) }, lastJob: f["last_job"], lastLate: f["last_late"] == "1",
                             fires: f["fires"].flatMap { Int($0) } ?? 0)
    }

    /// The schedule named `name` on whichever queue holds it.
    public func findSchedule(_ name: String) throws -> ScheduleState {
        let found = try schedules().filter { $0.definition.name == name }
        guard let first = found.first else { throw MMPError.notFound("no schedule named '\(name)' (mmp schedule list shows them)") }
        guard found.count == 1 else {
            throw MMPError.invalidInput("'\(name)' names schedules on queues \(found.map(\.definition.queue).joined(separator: ", ")); give --queue")
        }
        return first
    }

    public func removeSchedule(_ name: String, queue: String) throws {
        let k = keys(queue)
        _ = try checked(redis.pipeline([RedisCommand("ZREM", k.scheduleDue, name), RedisCommand("DEL", k.schedule(name)),
                                        RedisCommand("SREM", k.schedules, name)]), "schedule remove")
    }

    /// Pauses (no fire until resumed) or resumes (next fire: the first after now; what came due
    /// while paused is not fired).
    public func setSchedulePaused(_ name: String, queue: String, paused: Bool, definition: ScheduleDefinition? = nil) throws -> Int? {
        let k = keys(queue)
        guard let state = try schedule(name, queue: queue) else { throw MMPError.notFound("no schedule named '\(name)' on queue \(queue)") }
        if paused {
            _ = try checked(redis.pipeline([RedisCommand("HSET", k.schedule(name), "paused", "1"), RedisCommand("ZREM", k.scheduleDue, name)]), "pause")
            return nil
        }
        let d = definition ?? state.definition
        let next = d.next(after: Int64(Clock.nowMillis() / 1000)).map { Int($0) * 1000 }
        var commands = [RedisCommand("HSET", k.schedule(name), "paused", "0", "definition", d.json.serialized())]
        if let next { commands.append(RedisCommand("ZADD", k.scheduleDue, String(next), name)) }
        _ = try checked(redis.pipeline(commands), "resume")
        return next
    }

    public struct Fired: Sendable, Equatable {
        public var schedule: String
        public var job: String
        /// The fire time (ms) the job is for.
        public var fireTime: Int
        /// Fired more than a minute after its time, or after other fire times passed unfired
        /// (no worker ran): those are not fired again, this one says it was late.
        public var late: Bool
    }

    /// The clock check: fires every due schedule of `queue` once (up to `limit`). Called by every
    /// worker about once a second; the fire script's compare-and-set makes one of them win.
    public func fireDueSchedules(queue: String, limit: Int = 20) throws -> [Fired] {
        let k = keys(queue)
        let nowMs = Clock.nowMillis()
        let reply = try checked(redis.pipeline([RedisCommand("ZRANGEBYSCORE", k.scheduleDue, "-inf", String(nowMs + 1000), "WITHSCORES",
                                                             "LIMIT", "0", String(limit))]), "ZRANGEBYSCORE")[0]
        let items = (reply.array ?? []).compactMap(\.string)
        var fired: [Fired] = []
        var i = 0
        while i + 1 < items.count {
            let name = items[i]
            let due = Int(Double(items[i + 1]) ?? 0)
            i += 2
            guard let f = try fire(name, due: due, queue: queue, nowMillis: nowMs) else { continue }
            fired.append(f)
        }
        return fired
    }

    func fire(_ name: String, due: Int, queue: String, nowMillis: Int) throws -> Fired? {
        let k = keys(queue)
        guard let state = try schedule(name, queue: queue) else {
            _ = try checked(redis.pipeline([RedisCommand("ZREM", k.scheduleDue, name)]), "ZREM")
            return nil
        }
        let d = state.definition
        let nowSeconds = Int64(nowMillis / 1000)
        // Fire times missed while no worker ran are not fired one by one: this fire stands for
        // them, says it was late, and the next is the first after now.
        let following = d.next(after: Int64(due / 1000))
        let missedOthers = following.map { $0 <= nowSeconds } ?? false
        let late = missedOthers || nowMillis - due > 60_000
        let next = (missedOthers ? d.next(after: nowSeconds) : following).map { Int($0) * 1000 }
        let id = JobID.make(queue: queue, milliseconds: nowMillis)
        let payload = d.payload.json.serialized()
        let fields = ["id", id, "queue", queue, "kind", d.payload.kind.rawValue, "recipe", d.label, "recipe_file", d.payload.recipeFile,
                      "params", JSON.array(d.payload.params.map { .array([.string($0.0), .string($0.1)]) }).serialized(), "payload", payload,
                      "max_attempts", String(settings.maxAttempts), "max_deliveries", String(settings.maxDeliveries),
                      "timeout_ms", String(Int(settings.jobTimeout * 1000)), "idempotency_key", ""]
        let reply = try run(QueueScripts.fireSchedule, keys: [k.schedule(name), k.scheduleDue, k.job(id), k.pending, k.events, k.wake],
                            arguments: [name, String(due), next.map(String.init) ?? "", id, late ? "1" : "0", String(settings.eventsCap),
                                        String(settings.wakeCap)] + fields)
        switch reply.string {
        case "fired": return Fired(schedule: name, job: id, fireTime: due, late: late)
        case "raced", "not_due", "paused": return nil
        default: throw unexpected("fire-schedule", reply)
        }
    }

    /// `mmp schedule run-now`: submits the schedule's job at once (its fire times stay as they are).
    public func runScheduleNow(_ name: String, queue: String) throws -> Submitted {
        guard let state = try schedule(name, queue: queue) else { throw MMPError.notFound("no schedule named '\(name)' on queue \(queue)") }
        return try submit(SubmitRequest(queue: queue, payload: state.definition.payload))
    }
}
