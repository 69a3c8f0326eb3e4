import MMPCore
import MMPQueue

/// The jobs list: the filter form, a page of jobs, links to the pages around it.
struct JobsPage {
    var filter: JobFilter
    var page: JobPage
    var queues: [String]
    /// The raw `from`/`to` values, to put back into the form.
    var fromText: String
    var toText: String
    var nowMillis: Int

    func render(layout: PageLayout) -> String {
        var out = "<h1>Jobs</h1><form method=\"get\" action=\"/jobs\" class=\"filters\" id=\"filters\">"
        out += "<label>queue <select name=\"queue\"><option value=\"\">all</option>"
        for q in queues { out += "<option\(filter.queue == q ? " selected" : "")>\(HTML.escape(q))</option>" }
        out += "</select></label><label>state <select name=\"state\"><option value=\"\">any</option>"
        for s in JobState.allCases { out += "<option value=\"\(s.rawValue)\"\(filter.state == s ? " selected" : "")>\(s.rawValue)</option>" }
        out += "</select></label>"
        out += input("id", filter.id, "job id or part") + input("recipe", filter.recipe, "recipe") + input("worker", filter.worker, "worker")
        out += "<label>submitted from <input type=\"datetime-local\" name=\"from\" value=\"\(HTML.escape(fromText))\"></label>"
        out += "<label>to <input type=\"datetime-local\" name=\"to\" value=\"\(HTML.escape(toText))\"></label> (UTC) "
        out += "<button type=\"submit\">Filter</button></form>"
        out += "<table id=\"jobs\"><tr><th>id</th><th>queue</th><th>recipe</th><th>state</th><th>worker</th><th>submitted</th><th>in state since</th><th>duration</th><th>attempts</th><th>error</th></tr>"
        for r in page.jobs {
            let id = HTML.escape(r.id)
            out += "<tr data-job=\"\(id)\" data-state=\"\(HTML.escape(r.stateText))\"><td><a href=\"/jobs/\(HTML.query(r.id))\">\(id)</a></td>"
            out += "<td>\(HTML.escape(r.queue))</td><td class=\"recipe\">\(HTML.escape(r.recipe))</td>"
            out += "<td class=\"s-\(HTML.escape(r.stateText))\">\(HTML.escape(r.stateText))</td><td>\(HTML.escape(r.worker))</td>"
            out += "<td>\(HTML.time(JobID.milliseconds(of: r.id)))</td><td>\(HTML.time(page.since[r.id]))</td>"
            out += "<td class=\"n\">\(r.duration(nowMillis: nowMillis).map(HTML.duration) ?? "-")</td><td class=\"n\">\(r.attempts)/\(r.maxAttempts)</td>"
            out += "<td>\(HTML.escape([r.errorKind, r.errorMessage].compactMap { $0 }.joined(separator: ": ").prefix(160).description))</td></tr>"
        }
        out += "</table>"
        if page.jobs.isEmpty { out += "<p id=\"no-jobs\">No job matches.</p>" }
        if page.truncated {
            out += "<p>Stopped after looking at the newest \(JobFilter.scanLimit) entries; choose a queue and state, or narrow the filter.</p>"
        }
        out += "<p>"
        if filter.page > 0 { out += "<a id=\"newer\" href=\"\(HTML.escape(link(page: filter.page - 1)))\">← newer</a> " }
        out += "page \(filter.page + 1)"
        if page.hasMore { out += " <a id=\"older\" href=\"\(HTML.escape(link(page: filter.page + 1)))\">older →</a>" }
        out += "</p>"
        return layout.render(out)
    }

    private func input(_ name: String, _ value: String, _ placeholder: String) -> String {
        "<label>\(name) <input name=\"\(name)\" value=\"\(HTML.escape(value))\" placeholder=\"\(placeholder)\"></label>"
    }

    func link(page n: Int) -> String {
        "/jobs?" + HTML.queryString([("queue", filter.queue ?? ""), ("state", filter.state?.rawValue ?? ""), ("id", filter.id),
                                     ("recipe", filter.recipe), ("worker", filter.worker), ("from", fromText), ("to", toText),
                                     ("page", n > 0 ? String(n) : "")])
    }

    /// `2026-12-06T10:30` (a datetime-local value, read as UTC) in ms; nil when empty.
    static func parseTime(_ text: String, field: String) throws -> Int? {
        let t = text.trimmed()
        if t.isEmpty { return nil }
        let parts = t.split(whereSeparator: { "-T:".contains($0) }).map { Int($0) }
        guard parts.count >= 5, parts.count <= 6, parts.allSatisfy({ $0 != nil }) else {
            throw MMPError.invalidInput("\(field): '\(t)' is not a time like 2026-12-06T10:30 (UTC)")
        }
        let p = parts.map { $0! }
        guard (1...12).contains(p[1]), (1...31).contains(p[2]), (0...23).contains(p[3]), (0...59).contains(p[4]) else {
            throw MMPError.invalidInput("\(field): '\(t)' is not a valid date and time")
        }
        return (daysFromCivil(p[0], p[1], p[2]) * 86_400 + p[3] * 3600 + p[4] * 60 + (p.count > 5 ? p[5] : 0)) * 1000
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
