import MMPCore
import MMPQueue

/// Every live worker: where it runs, what it takes, what each slot runs now, how fresh it is.
struct WorkersPage {
    var workers: [WorkerInfo]
    var nowMillis: Int

    func render(layout: PageLayout) -> String {
        let busy = workers.filter { $0.busySlots > 0 }.count
        var out = "<h1>Workers</h1><p><b id=\"worker-count\">\(workers.count)</b> workers, <b id=\"busy-count\">\(busy)</b> busy.</p>"
        out += "<table id=\"workers\"><tr><th>id</th><th>host</th><th>pid</th><th>version</th><th>queues</th><th>concurrency</th><th>slots</th><th>state</th><th>heartbeat</th><th>RSS</th><th>started</th></tr>"
        for w in workers {
            out += "<tr data-worker=\"\(HTML.escape(w.id))\"><td>\(HTML.escape(w.id))</td><td>\(HTML.escape(w.host))</td><td class=\"n\">\(w.pid)</td>"
            out += "<td>\(HTML.escape(w.version))</td><td>\(HTML.escape(w.queues.joined(separator: ", ")))</td><td class=\"n\">\(w.concurrency)</td><td>"
            let slots = w.slots.isEmpty ? [w.jobs] : w.slots
            for (i, jobs) in slots.enumerated() {
                out += "<div>slot \(i + 1): " + (jobs.isEmpty ? "idle" : jobs.map { "<a href=\"/jobs/\(HTML.query($0))\">\(HTML.escape($0))</a>" }.joined(separator: " ")) + "</div>"
            }
            out += "</td><td>\(HTML.escape(w.state))</td><td class=\"n\">\(HTML.duration(Double(max(0, nowMillis - w.heartbeatAt)) / 1000)) ago</td>"
            out += "<td class=\"n\">\(HTML.bytes(w.rssBytes))</td><td>\(HTML.time(w.startedAt))</td></tr>"
        }
        out += "</table>"
        if workers.isEmpty { out += "<p>No worker is running (<code>mmp-worker</code>).</p>" }
        return layout.render(out)
    }
}
