import MMPCore
import MMPQueue
import MMPRedis

/// One job: its record, the events timeline with the time each step took, progress, metrics,
/// artifact, error, the MLflow run, and the actions its state allows.
struct JobDetail: Sendable {
    var record: JobRecord
    var events: [JobEvent]
    var nowMillis: Int

    /// The record and its events (the queue's stream read from when the job was made, so a
    /// young job's timeline costs few entries).
    static func read(_ q: JobQueue, id: String) throws -> JobDetail? {
        guard let record = try q.record(id), let queue = JobID.queue(of: id) else { return nil }
        let from = JobID.milliseconds(of: id).map { String(max(0, $0 - 1)) } ?? "-"
        let reply = try q.redis.checkedPipeline([RedisCommand("XRANGE", q.keys(queue).events, from, "+", "COUNT", String(q.settings.eventsCap))], "XRANGE")[0]
        var events: [JobEvent] = []
        for entry in reply.array ?? [] {
            guard let e = entry.array, e.count == 2, let sid = e[0].string else { continue }
            let fields = e[1].dictionary
            if fields["job"] == id { events.append(JobEvent(streamID: sid, fields: fields)) }
        }
        return JobDetail(record: record, events: events, nowMillis: Clock.nowMillis())
    }
}

/// One entry of the job's part of its queue's events stream.
struct JobEvent: Sendable {
    var streamID: String
    var fields: [String: String]
    var name: String { fields["event"] ?? "" }
    var state: String { fields["state"] ?? "" }
    var stage: String? { fields["stage"].flatMap { $0.isEmpty ? nil : $0 } }
    var progress: Double? { fields["progress"].flatMap(Double.init) }
}

struct JobDetailPage {
    var detail: JobDetail
    var readOnly: Bool
    var csrf: String

    /// Record fields never shown: the lease token lets whoever holds it write the job's verdict.
    static let hiddenFields: Set<String> = ["lease_token"]

    func render(layout: PageLayout) -> String {
        let r = detail.record
        let id = HTML.escape(r.id)
        var out = "<h1>Job <code id=\"job-id\">\(id)</code></h1>"
        out += "<p>State <b id=\"job-state\" class=\"s-\(HTML.escape(r.stateText))\">\(HTML.escape(r.stateText))</b>"
        out += " · queue <a href=\"/jobs?queue=\(HTML.query(r.queue))\">\(HTML.escape(r.queue))</a> · recipe <b>\(HTML.escape(r.recipe))</b>"
        out += " · progress <span class=\"bar\"><i style=\"width:\(Int(r.progress * 100))%\"></i></span> \(Int(r.progress * 100))%"
        if !r.stage.isEmpty { out += " (\(HTML.escape(r.stage)))" }
        out += "</p>"
        if !readOnly { out += "<div id=\"actions\">" + actions(r) + "</div>" }
        if let kind = r.errorKind ?? (r.errorMessage == nil ? nil : "internal") {
            out += "<h2>Error</h2><p id=\"error\"><b>\(HTML.escape(kind))</b>: \(HTML.escape(Redaction.scrub(r.errorMessage ?? "")))</p>"
        }
        if let result = r.result {
            if let metrics = result["metrics"]?.objectValue, !metrics.isEmpty {
                out += "<h2>Metrics</h2><table id=\"metrics\">"
                for (k, v) in metrics { out += "<tr><th>\(HTML.escape(k))</th><td class=\"n\">\(HTML.escape(v.plainText))</td></tr>" }
                out += "</table>"
            }
            for key in ["artifact_uri", "artifact", "bundle", "model_path"] {
                if let uri = result[key]?.stringValue { out += "<p>Artifact: <code id=\"artifact\">\(HTML.escape(Redaction.scrub(uri)))</code></p>"; break }
            }
            if let link = JobDetailPage.mlflowLink(result["tracking"]) {
                out += "<p>MLflow run: <a id=\"mlflow-run\" href=\"\(HTML.escape(link.url))\">\(HTML.escape(link.runID))</a></p>"
            }
        }
        out += "<h2>Timeline</h2><table id=\"timeline\"><tr><th>time</th><th>event</th><th>state</th><th>stage</th><th>progress</th><th>took</th><th>details</th></tr>"
        var previous: Int?
        for e in detail.events {
            let ms = Int(e.streamID.split(separator: "-").first ?? "") ?? 0
            let took = previous.map { HTML.duration(Double(ms - $0) / 1000) } ?? ""
            previous = ms
            let details = e.fields.filter { !["job", "event", "state", "stage", "progress"].contains($0.key) }
                .sorted { $0.key < $1.key }.map { "\($0.key)=\(Redaction.scrub($0.value))" }.joined(separator: " ")
            out += "<tr data-event=\"\(HTML.escape(e.name))\"><td>\(HTML.time(ms))</td><td>\(HTML.escape(e.name))</td><td>\(HTML.escape(e.state))</td>"
            out += "<td>\(HTML.escape(e.stage ?? ""))</td><td class=\"n\">\(e.progress.map { "\(Int($0 * 100))%" } ?? "")</td>"
            out += "<td class=\"n\">\(took)</td><td>\(HTML.escape(details))</td></tr>"
        }
        out += "</table><h2>Record</h2><table id=\"record\">"
        for key in r.fields.keys.sorted() {
            let value = JobDetailPage.hiddenFields.contains(key) || Redaction.isSecretName(key) ? "(hidden)" : Redaction.scrub(r.fields[key]!)
            let shown: String
            if value.hasPrefix("{") || value.hasPrefix("["), let json = try? JSON.parse(value) {
                shown = "<pre>\(HTML.escape(Redaction.scrub(json.prettySerialized())))</pre>"
            } else if key.hasSuffix("_at"), let ms = Int(value), ms > 1_000_000_000_000 {
                shown = HTML.time(ms) + " <small>(\(ms))</small>"
            } else {
                shown = HTML.escape(value)
            }
            out += "<tr><th>\(HTML.escape(key))</th><td data-field=\"\(HTML.escape(key))\">\(shown)</td></tr>"
        }
        out += "</table>"
        return layout.render(out)
    }

    func actions(_ r: JobRecord) -> String {
        let base = "/jobs/" + HTML.query(r.id)
        var out = ""
        switch r.state {
        case .queued?, .active?:
            out += HTML.action(base + "/cancel", "Cancel", csrf: csrf)
        case .scheduled?:
            out += HTML.action(base + "/promote", "Run now", csrf: csrf) + HTML.action(base + "/cancel", "Cancel", csrf: csrf)
        case .failed?, .dead?, .cancelled?:
            out += HTML.action(base + "/retry", "Retry", csrf: csrf)
        default:
            break
        }
        if r.state != .active { out += HTML.action(base + "/delete", "Delete", csrf: csrf, confirm: "Delete job \(r.id)?", style: "danger") }
        return out
    }

    /// The run's page on the MLflow server the job logged to (its `tracking` result).
    static func mlflowLink(_ tracking: JSON?) -> (url: String, runID: String)? {
        guard let t = tracking, let run = t["run_id"]?.stringValue, !run.isEmpty, let server = t["server"]?.stringValue,
              server.hasPrefix("http://") || server.hasPrefix("https://") else { return nil }
        let base = Redaction.scrub(server).hasSuffix("/") ? String(Redaction.scrub(server).dropLast()) : Redaction.scrub(server)
        let experiment = t["experiment_id"]?.stringValue ?? "0"
        return ("\(base)/#/experiments/\(HTML.query(experiment))/runs/\(HTML.query(run))", run)
    }
}

/// Keeps secrets off the pages: credentials inside URLs, and fields named like secrets.
enum Redaction {
    static func isSecretName(_ name: String) -> Bool {
        let n = name.lowercased()
        return ["password", "secret", "token", "api_key", "apikey", "credential"].contains { n.contains($0) }
    }

    /// `scheme://user:password@host` → `scheme://user:***@host`, wherever it appears.
    static func scrub(_ text: String) -> String {
        guard text.contains("://"), text.contains("@") else { return text }
        var out = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == " " || $0 == "\"" || $0 == "\n" }) ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                out += authority[...colon] + "***" + authority[at...]
            } else {
                out += authority
            }
            rest = rest[authorityEnd...]
        }
        return out + rest
    }
}
