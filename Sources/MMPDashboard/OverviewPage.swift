import MMPCore
import MMPQueue

/// What the overview shows, read in a few round trips (O(queues + workers)).
struct OverviewData: Sendable {
    var counts: [JobQueue.QueueCounts]
    var totals: [CompletionTotals]
    var timeline: QueueTimeline
    var workers: [WorkerInfo]
    var nowMillis: Int

    static func read(_ q: JobQueue, range: QueueTimeline.Range) throws -> OverviewData {
        let counts = try q.counts()
        let names = counts.map(\.queue)
        return OverviewData(counts: counts, totals: try q.statistics(queues: names).map(\.totals),
                            timeline: try q.timeline(queues: names, range: range), workers: try q.workers(), nowMillis: Clock.nowMillis())
    }
}

/// The overview: totals, completions over time, each queue's depth with its actions, workers.
struct OverviewPage {
    var data: OverviewData
    var range: QueueTimeline.Range
    var readOnly: Bool
    var csrf: String

    /// The part the page's script refreshes (`/overview/live`).
    func fragment() -> String {
        let succeeded = data.totals.reduce(0) { $0 + $1.succeeded }
        let failed = data.totals.reduce(0) { $0 + $1.failed + $1.dead }
        let busy = data.workers.filter { $0.busySlots > 0 }.count
        let oldest = data.counts.compactMap(\.oldestPendingAge).max()
        var out = "<div class=\"cards\">"
        out += card("processed", "Processed", succeeded) + card("failed", "Failed or dead", failed)
        out += card("busy-workers", "Busy workers", busy) + card("idle-workers", "Idle workers", data.workers.count - busy)
        out += "<div class=\"card\">Oldest pending<b id=\"oldest-pending\">\(oldest.map(HTML.duration) ?? "-")</b></div></div>"
        out += "<h2>Completions, last \(range.rawValue)</h2>" + chart()
        out += "<h2>Queues</h2><table id=\"queues\"><tr><th>queue</th>"
        for (label, _) in FleetMetrics.depthStates { out += "<th>\(label)</th>" }
        out += "<th>oldest pending</th><th>workers</th>" + (readOnly ? "" : "<th>actions</th>") + "</tr>"
        for c in data.counts {
            let q = HTML.escape(c.queue)
            out += "<tr data-queue=\"\(q)\"><td>\(q)\(c.paused ? " <span class=\"badge\" data-paused=\"1\">paused</span>" : "")</td>"
            for (label, state) in FleetMetrics.depthStates {
                let link = "/jobs?" + HTML.queryString([("queue", c.queue), ("state", state.rawValue)])
                out += "<td class=\"n\" data-state=\"\(label)\"><a href=\"\(HTML.escape(link))\">\(c.count(state))</a></td>"
            }
            out += "<td class=\"n\">\(c.oldestPendingAge.map(HTML.duration) ?? "-")</td>"
            out += "<td class=\"n\">\(data.workers.filter { $0.queues.contains(c.queue) }.count)</td>"
            if !readOnly {
                let base = "/queues/" + HTML.query(c.queue)
                out += "<td>" + (c.paused ? HTML.action(base + "/resume", "Resume", csrf: csrf) : HTML.action(base + "/pause", "Pause", csrf: csrf))
                if c.dead > 0 {
                    out += HTML.action(base + "/retry-all?state=dead", "Retry all dead", csrf: csrf)
                    out += HTML.action(base + "/delete-all?state=dead", "Delete all dead", csrf: csrf,
                                       confirm: "Delete all \(c.dead) dead jobs of \(c.queue)?", style: "danger")
                }
                if c.failed > 0 {
                    out += HTML.action(base + "/retry-all?state=failed", "Retry all failed", csrf: csrf)
                    out += HTML.action(base + "/delete-all?state=failed", "Delete all failed", csrf: csrf,
                                       confirm: "Delete all \(c.failed) failed jobs of \(c.queue)?", style: "danger")
                }
                out += "</td>"
            }
            out += "</tr>"
        }
        out += "</table>"
        if data.counts.isEmpty { out += "<p>No queue has had a job yet (<code>mmp submit</code>).</p>" }
        return out
    }

    func render(layout: PageLayout, refreshSeconds: Double) -> String {
        var body = "<p>Range: "
        for r in QueueTimeline.Range.allCases {
            body += r == range ? "<b>\(r.rawValue)</b> " : "<a href=\"/?range=\(r.rawValue)\">\(r.rawValue)</a> "
        }
        body += "</p><div id=\"live\" data-src=\"/overview/live?range=\(range.rawValue)\" data-every=\"\(refreshSeconds)\">" + fragment() + "</div>"
        return layout.render(body)
    }

    private func card(_ id: String, _ label: String, _ n: Int) -> String {
        "<div class=\"card\">\(label)<b id=\"\(id)\">\(n)</b></div>"
    }

    /// Succeeded (green) over failed and dead (red) per period, as an inline SVG.
    func chart() -> String {
        let points = data.timeline.points
        let width = 760.0, height = 150.0, left = 40.0
        let peak = max(1, points.map { $0.succeeded + $0.failed + $0.dead }.max() ?? 1)
        let step = (width - left) / Double(max(1, points.count))
        var svg = "<svg id=\"chart\" width=\"\(Int(width))\" height=\"\(Int(height + 20))\" role=\"img\" aria-label=\"completions per period\">"
        svg += "<text x=\"0\" y=\"10\">\(peak)</text><text x=\"0\" y=\"\(Int(height))\">0</text>"
        for (i, p) in points.enumerated() {
            let x = left + Double(i) * step
            let ok = Double(p.succeeded) / Double(peak) * height
            let bad = Double(p.failed + p.dead) / Double(peak) * height
            let title = "<title>\(Timestamp.iso8601(Double(p.start) / 1000)): \(p.succeeded) succeeded, \(p.failed + p.dead) failed or dead, \(p.cancelled) cancelled</title>"
            if ok > 0 {
                svg += "<rect x=\"\(fmt(x))\" y=\"\(fmt(height - ok))\" width=\"\(fmt(max(1, step - 1)))\" height=\"\(fmt(ok))\" fill=\"#2da44e\">\(title)</rect>"
            }
            if bad > 0 {
                svg += "<rect x=\"\(fmt(x))\" y=\"\(fmt(height - ok - bad))\" width=\"\(fmt(max(1, step - 1)))\" height=\"\(fmt(bad))\" fill=\"#cf222e\">\(title)</rect>"
            }
        }
        svg += "<line x1=\"\(Int(left))\" y1=\"\(Int(height))\" x2=\"\(Int(width))\" y2=\"\(Int(height))\" stroke=\"#999\"/>"
        if let first = points.first, let last = points.last {
            svg += "<text x=\"\(Int(left))\" y=\"\(Int(height + 14))\">\(Timestamp.iso8601(Double(first.start) / 1000))</text>"
            svg += "<text x=\"\(Int(width - 150))\" y=\"\(Int(height + 14))\">\(Timestamp.iso8601(Double(last.start) / 1000))</text>"
        }
        return svg + "</svg>"
    }

    private func fmt(_ v: Double) -> String { String(Double(Int(v * 10)) / 10) }
}
