import MMPCore
import MMPRedis

/// A job as stored in its Redis hash (`mmp:{queue}:job:<id>`), read back for `mmp jobs`.
public struct JobRecord: Sendable, Equatable {
    public var fields: [String: String]

    public init(fields: [String: String]) { self.fields = fields }

    public var id: String { fields["id"] ?? "" }
    public var queue: String { fields["queue"] ?? "" }
    public var kind: String { fields["kind"] ?? "" }
    public var recipe: String { fields["recipe"] ?? "" }
    public var state: JobState? { fields["state"].flatMap(JobState.init(rawValue:)) }
    public var stateText: String { fields["state"] ?? "unknown" }
    public var progress: Double { fields["progress"].flatMap(Double.init) ?? 0 }
    public var stage: String { fields["stage"] ?? "" }
    public var attempts: Int { int("attempts") ?? 0 }
    public var maxAttempts: Int { int("max_attempts") ?? 0 }
    public var deliveries: Int { int("deliveries") ?? 0 }
    public var maxDeliveries: Int { int("max_deliveries") ?? 0 }
    /// Deliveries that ended without a verdict (lost leases, crashed job processes, releases past
    /// `max_releases`): these alone meet `max_deliveries`.
    public var lostDeliveries: Int { int("lost_deliveries") ?? 0 }
    /// Times a stopping worker gave it back.
    public var releases: Int { int("releases") ?? 0 }
    public var worker: String { fields["worker"] ?? "" }
    public var errorKind: String? { nonEmpty("error_kind") }
    public var errorMessage: String? { nonEmpty("error_message") }
    public var cancelRequested: Bool { fields["cancel_requested"] == "1" }
    public var payloadText: String { fields["payload"] ?? "" }
    /// Milliseconds since the epoch.
    public var createdAt: Int? { int("created_at") }
    public var startedAt: Int? { int("started_at") }
    public var finishedAt: Int? { int("finished_at") }
    public var result: JSON? { nonEmpty("result").flatMap { try? JSON.parse($0) } }

    func int(_ key: String) -> Int? { fields[key].flatMap { Int($0) ?? Double($0).map { Int($0) } } }
    func nonEmpty(_ key: String) -> String? { fields[key].flatMap { $0.isEmpty ? nil : $0 } }

    /// Seconds from start to finish (or to now while running).
    public func duration(nowMillis: Int) -> Double? {
        guard let start = startedAt, start > 0 else { return nil }
        let end = state?.isTerminal == true ? (finishedAt ?? start) : nowMillis
        return Double(max(0, end - start)) / 1000
    }

    /// The `--json` form. Field names are stable and documented in docs/cli.md.
    public func json(nowMillis: Int) -> JSON {
        func time(_ key: String) -> JSON {
            guard let ms = int(key), ms > 0 else { return .null }
            return .string(Timestamp.iso8601(Double(ms) / 1000))
        }
        var o = JSONObject()
        o["id"] = .string(id)
        o["queue"] = .string(queue)
        o["kind"] = .string(kind)
        o["recipe"] = .string(recipe)
        o["state"] = .string(stateText)
        o["progress"] = .double(progress)
        o["stage"] = .string(stage)
        o["attempts"] = .int(attempts)
        o["max_attempts"] = .int(maxAttempts)
        o["deliveries"] = .int(deliveries)
        o["max_deliveries"] = .int(maxDeliveries)
        o["lost_deliveries"] = .int(lostDeliveries)
        o["releases"] = .int(releases)
        o["timeout_seconds"] = int("timeout_ms").map { .double(Double($0) / 1000) } ?? .null
        o["worker"] = worker.isEmpty ? .null : .string(worker)
        o["lease_expires_at"] = state == .active ? time("lease_expires_at") : .null
        o["cancel_requested"] = .bool(cancelRequested)
        o["idempotency_key"] = nonEmpty("idempotency_key").map(JSON.string) ?? .null
        o["params"] = nonEmpty("params").flatMap { try? JSON.parse($0) } ?? .array([])
        o["created_at"] = time("created_at")
        o["run_at"] = time("run_at")
        o["started_at"] = time("started_at")
        o["finished_at"] = state?.isTerminal == true ? time("finished_at") : .null
        o["updated_at"] = time("updated_at")
        o["duration_seconds"] = duration(nowMillis: nowMillis).map(JSON.double) ?? .null
        if let kind = errorKind ?? (errorMessage == nil ? nil : "internal") {
            o["error"] = ["kind": .string(kind), "message": .string(errorMessage ?? "")]
        } else {
            o["error"] = .null
        }
        let result = self.result
        o["metrics"] = result?["metrics"] ?? .null
        o["artifact"] = result?["artifact"] ?? .null
        o["result"] = result ?? .null
        return .object(o)
    }
}
