import MMPCore

/// A schedule (`mmp schedule add`): a cron expression in a zone, and the job it submits to its
/// queue at each fire time. Stored in Redis in its queue (`P:{Q}:schedule:<name>`), so the
/// script that fires it creates the job in the same slot.
public struct ScheduleDefinition: Sendable, Equatable {
    public var name: String
    public var cron: CronExpression
    /// The zone's name (for people) and its offsets (for workers, which link no zone data).
    public var timezone: String
    public var offsets: OffsetTable
    public var queue: String
    public var payload: JobPayload
    /// What `mmp schedule list` shows for the job (a recipe name, or `predict`).
    public var label: String

    public init(name: String, cron: CronExpression, timezone: String, offsets: OffsetTable, queue: String, payload: JobPayload, label: String) throws {
        guard ScheduleDefinition.isName(name) else {
            throw MMPError.invalidInput("schedule name '\(name)' must be 1-64 letters, digits, '-', '_' or '.'")
        }
        self.name = name; self.cron = cron; self.timezone = timezone; self.offsets = offsets; self.queue = queue
        self.payload = payload; self.label = label
    }

    public static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    /// The first fire time strictly after `after` (UTC seconds).
    public func next(after: Int64) -> Int64? { cron.next(after: after, in: offsets) }

    public var json: JSON {
        ["name": .string(name), "cron": .string(cron.text), "timezone": .string(timezone), "offsets": offsets.json,
         "queue": .string(queue), "payload": payload.json, "label": .string(label)]
    }

    public init(json: JSON) throws {
        guard let name = json["name"]?.stringValue, let cron = json["cron"]?.stringValue, let queue = json["queue"]?.stringValue,
              let payload = json["payload"] else {
            throw MMPError.invalidInput("schedule definition lacks name, cron, queue or payload")
        }
        try self.init(name: name, cron: try CronExpression(cron), timezone: json["timezone"]?.stringValue ?? "UTC",
                      offsets: try OffsetTable(json: json["offsets"] ?? .array([])), queue: queue, payload: try JobPayload(json: payload),
                      label: json["label"]?.stringValue ?? "")
    }
}
