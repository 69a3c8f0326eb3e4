import MMPCore
import MMPQueue

/// Text for `mmp jobs`, `mmp queues`, `mmp workers` and `mmp jobs watch`.
public enum JobViews {
    public static func table(_ records: [JobRecord], nowMillis: Int) -> String {
        var t = TextTable(headers: ["id", "recipe", "state", "progress", "attempts", "worker", "age", "duration"], rightAligned: [3, 4, 6, 7])
        for r in records {
            let age = r.createdAt.map { duration(Double(nowMillis - $0) / 1000) } ?? ""
            t.add([r.id, r.recipe, r.stateText, percent(r.progress), "\(r.attempts)/\(r.maxAttempts)", r.worker, age,
                   r.duration(nowMillis: nowMillis).map(duration) ?? ""])
        }
        return t.render()
    }

    /// Every field of one job, as `mmp jobs show` prints it.
    public static func detail(_ r: JobRecord, nowMillis: Int) -> String {
        var lines: [String] = []
        func add(_ k: String, _ v: String?) { if let v, !v.isEmpty { lines.append(k.padded(16) + v) } }
        let json = r.json(nowMillis: nowMillis)
        add("id", r.id)
        add("queue", r.queue)
        add("kind", r.kind)
        add("recipe", r.recipe)
        add("state", r.stateText + (r.cancelRequested && r.state == .active ? " (cancel requested)" : ""))
        add("progress", percent(r.progress) + (r.stage.isEmpty ? "" : "  stage \(r.stage)"))
        add("attempts", "\(r.attempts) of \(r.maxAttempts)")
        add("deliveries", "\(r.deliveries) (\(r.lostDeliveries) without a verdict, cap \(r.maxDeliveries))"
            + (r.releases > 0 ? "; given back \(r.releases) time(s) at worker shutdown" : ""))
        add("worker", r.worker)
        for key in ["created_at", "run_at", "started_at", "finished_at", "lease_expires_at"] { add(key.replacing("_", with: " "), json[key]?.stringValue) }
        add("duration", r.duration(nowMillis: nowMillis).map(duration))
        add("timeout", json["timeout_seconds"]?.doubleValue.map(duration))
        add("idempotency key", json["idempotency_key"]?.stringValue)
        if let params = json["params"]?.arrayValue, !params.isEmpty {
            add("params", params.compactMap { $0.arrayValue.map { "\($0[0].plainText)=\($0[1].plainText)" } }.joined(separator: " "))
        }
        if let kind = r.errorKind ?? (r.errorMessage == nil ? nil : "internal") { add("error", "[\(kind)] \(r.errorMessage ?? "")") }
        if let metrics = json["metrics"]?.objectValue {
            for (name, value) in metrics { add("metric " + name, value.plainText) }
        }
        if let artifact = json["artifact"]?.objectValue {
            for (name, value) in artifact { add("artifact " + name, value.plainText) }
        }
        // MLflow (docs/tracking.md): where the run went, or why it did not.
        if let tracking = json["result"]?["tracking"]?.objectValue {
            add("tracking", [tracking["status"], tracking["run_id"], tracking["error"]].compactMap { $0?.plainText }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func queuesTable(_ counts: [JobQueue.QueueCounts]) -> String {
        var t = TextTable(headers: ["queue", "pending", "scheduled", "active", "succeeded", "failed", "dead", "cancelled", "oldest pending"],
                          rightAligned: Set(1...8))
        for c in counts {
            t.add([c.queue, "\(c.pending)", "\(c.scheduled)", "\(c.active)", "\(c.succeeded)", "\(c.failed)", "\(c.dead)", "\(c.cancelled)",
                   c.oldestPendingAge.map(duration) ?? "-"])
        }
        return t.render()
    }

    public static func workersTable(_ workers: [WorkerInfo], nowMillis: Int) -> String {
        var t = TextTable(headers: ["worker", "host", "pid", "queues", "state", "jobs", "up", "last heartbeat"], rightAligned: [2, 6, 7])
        for w in workers {
            t.add([w.id, w.host, "\(w.pid)", w.queues.joined(separator: ","), w.state,
                   w.jobs.isEmpty ? "-" : "\(w.jobs.count)/\(w.concurrency): " + w.jobs.joined(separator: " "),
                   duration(Double(nowMillis - w.startedAt) / 1000), duration(Double(nowMillis - w.heartbeatAt) / 1000) + " ago"])
        }
        return t.render()
    }

    /// `[#########-----------]  42%`
    public static func bar(_ progress: Double, width: Int = 24) -> String {
        let p = min(1, max(0, progress))
        let filled = Int((p * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] " + percent(p).leftPadded(4)
    }

    public static func percent(_ p: Double) -> String { "\(Int((min(1, max(0, p)) * 100).rounded(.down)))%" }

    /// `850ms`, `12.3s`, `4m05s`, `2h10m`, `3d04h`.
    public static func duration(_ seconds: Double) -> String {
        let s = max(0, seconds)
        if s < 1 { return "\(Int(s * 1000))ms" }
        if s < 60 { return "\(Double(Int(s * 10)) / 10)s" }
        let whole = Int(s)
        if whole < 3600 { return "\(whole / 60)m\(two(whole % 60))s" }
        if whole < 86400 { return "\(whole / 3600)h\(two(whole / 60 % 60))m" }
        return "\(whole / 86400)d\(two(whole / 3600 % 24))h"
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// One line for an event of the stream.
    public static func eventLine(_ e: QueueEvent) -> String {
        var text = "\(Timestamp.iso8601(Double(e.fields["at"].flatMap(Int.init) ?? 0) / 1000))  \(e.job)  \(e.name)"
        if let stage = e.stage { text += "  stage=\(stage)" }
        if e.name == "progress", let p = e.progress { text += "  \(percent(p))" }
        if let w = e.fields["worker"], !w.isEmpty { text += "  worker=\(w)" }
        if let m = e.fields["message"], !m.isEmpty { text += "  \(m)" }
        return text
    }
}

extension String {
    func padded(_ n: Int) -> String { count >= n ? self + " " : self + String(repeating: " ", count: n - count) }
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
