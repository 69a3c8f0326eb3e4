import Foundation
import MMPCore
import MMPQueue
import MMPTestSupport
import Testing

/// `mmp dashboard` as a real process over HTTP: security, actions, /metrics, Redis going away.
@Suite struct DashboardHTTPTests {
    static let pages = ["/", "/overview/live", "/jobs", "/jobs?state=dead", "/workers", "/metrics"]

    @Test func withATokenEveryPageAndActionWithoutItIs401() throws {
        let f = try DashboardFixture()
        let seeded = try f.seed()
        let token = "tok-\(UInt64.random(in: 0...UInt64.max))"
        let server = try f.dashboard(token: token)
        defer { server.stop() }
        let job = "/jobs/\(seeded.dead[0])"
        for path in Self.pages + [job] {
            #expect(try server.request("GET", path).status == 401, "\(path)")
            #expect(try server.request("GET", path, headers: ["Authorization": "Bearer wrong-\(token)"]).status == 401, "\(path)")
            #expect(try server.request("GET", path, headers: ["Authorization": "Bearer \(token)"]).status == 200, "\(path)")
        }
        let basic = Data("anyone:\(token)".utf8).base64EncodedString()
        let page = try server.request("GET", job, headers: ["Authorization": "Basic \(basic)"])
        #expect(page.status == 200)
        #expect(page.header("www-authenticate") == nil)
        #expect(try server.request("GET", "/", headers: ["Authorization": "Basic \(Data("anyone:nope".utf8).base64EncodedString())"]).status == 401)
        #expect(try server.request("GET", "/").header("www-authenticate")?.hasPrefix("Basic") == true)
        // No page shows the token.
        #expect(!page.text.contains(token))
        let csrf = try #require(csrfToken(in: page.text))
        for action in ["\(job)/retry", "\(job)/delete", "/queues/default/pause", "/queues/default/retry-all?state=dead"] {
            #expect(try server.request("POST", action, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: "csrf=\(csrf)").status == 401)
        }
        #expect(try f.queue.record(seeded.dead[0])?.state == .dead)
        #expect(try f.queue.counts(queues: ["default"]).first?.paused == false)
        #expect(!server.output.contains(token))
    }

    @Test func readOnlyHidesAndRefusesEveryAction() throws {
        let f = try DashboardFixture()
        let seeded = try f.seed()
        let server = try f.dashboard(["--read-only"])
        defer { server.stop() }
        for path in ["/", "/jobs/\(seeded.dead[0])", "/jobs/\(seeded.scheduled)", "/jobs"] {
            let page = try server.request("GET", path)
            #expect(page.status == 200)
            #expect(!page.text.contains("method=\"post\""), "\(path) shows an action")
            #expect(page.text.contains("read-only"))
        }
        for action in ["/jobs/\(seeded.dead[0])/retry", "/jobs/\(seeded.dead[0])/delete", "/jobs/\(seeded.scheduled)/promote",
                       "/jobs/\(seeded.scheduled)/cancel", "/queues/default/pause", "/queues/default/resume",
                       "/queues/default/retry-all?state=dead", "/queues/default/delete-all?state=dead"] {
            #expect(try server.request("POST", action, body: "csrf=x").status == 403, "\(action)")
        }
        #expect(try f.queue.counts(queues: ["default"]).first?.dead == 2)
        #expect(try f.queue.record(seeded.scheduled)?.state == .scheduled)
    }

    @Test func actionsNeedThePagesCSRFTokenAndDoWhatTheySay() throws {
        let f = try DashboardFixture()
        let seeded = try f.seed()
        let server = try f.dashboard()
        defer { server.stop() }
        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        let dead = seeded.dead[0]
        #expect(try server.request("POST", "/jobs/\(dead)/retry", headers: form, body: "").status == 403)
        #expect(try server.request("POST", "/jobs/\(dead)/retry", headers: form, body: "csrf=0123").status == 403)
        #expect(try f.queue.record(dead)?.state == .dead)
        let csrf = try #require(csrfToken(in: try server.request("GET", "/").text))
        let body = "csrf=\(csrf)"

        let retried = try server.request("POST", "/jobs/\(dead)/retry", headers: form, body: body)
        #expect(retried.status == 303)
        #expect(retried.header("location")?.hasPrefix("/jobs/\(HTMLQuery.encode(dead))?notice=") == true)
        #expect(try f.queue.record(dead)?.state == .queued)
        #expect(try server.request("POST", "/jobs/\(seeded.scheduled)/promote", headers: form, body: body).status == 303)
        #expect(try f.queue.record(seeded.scheduled)?.state == .queued)
        #expect(try server.request("POST", "/jobs/\(seeded.failed)/delete", headers: form, body: body).status == 303)
        #expect(try f.queue.record(seeded.failed) == nil)
        #expect(try server.request("POST", "/queues/default/pause", headers: form, body: body).status == 303)
        #expect(try f.queue.counts(queues: ["default"]).first?.paused == true)
        #expect(try server.request("POST", "/queues/default/resume", headers: form, body: body).status == 303)
        #expect(try f.queue.counts(queues: ["default"]).first?.paused == false)
        #expect(try server.request("POST", "/queues/default/delete-all?state=dead", headers: form, body: body).status == 303)
        #expect(try f.queue.counts(queues: ["default"]).first?.dead == 0)
        // A job id that is not one: a notice, nothing done, no crash.
        let bad = try server.request("POST", "/jobs/nope/cancel", headers: form, body: body)
        #expect(bad.status == 303 && bad.header("location")?.contains("notice=") == true)
    }

    @Test func jobsPageFiltersByStateRecipeIdWorkerAndTime() throws {
        let f = try DashboardFixture()
        let seeded = try f.seed()
        let server = try f.dashboard()
        defer { server.stop() }
        func rows(_ path: String) throws -> [String] {
            let page = try server.request("GET", path)
            #expect(page.status == 200, "\(path): \(page.text)")
            return page.text.components(separatedBy: "<tr data-job=\"").dropFirst().map { String($0.prefix(while: { $0 != "\"" })) }
        }
        #expect(Set(try rows("/jobs?queue=default&state=dead")) == Set(seeded.dead))
        #expect(try rows("/jobs?recipe=diagnostic").count == 1)
        #expect(try rows("/jobs?queue=default&recipe=noop").count == 9)
        #expect(try rows("/jobs?id=\(seeded.failed)") == [seeded.failed])
        #expect(try rows("/jobs?id=\(seeded.failed.suffix(12))") == [seeded.failed])
        #expect(try rows("/jobs?worker=seed-worker&state=succeeded").count == 3)
        #expect(try rows("/jobs?from=2000-01-01T00:00&to=2000-01-02T00:00").isEmpty)
        #expect(try rows("/jobs?from=2000-01-01T00:00").count == 12)
        #expect(try server.request("GET", "/jobs?from=yesterday").status == 400)
        #expect(try server.request("GET", "/jobs?state=bogus").status == 400)
        // Paging: 12 jobs, pages of 50; a page past the end is empty.
        #expect(try rows("/jobs?page=1").isEmpty)
        let detail = try server.request("GET", "/jobs/\(seeded.dead[0])").text
        #expect(detail.contains("boom at step 3") && detail.contains("data-event=\"dead\"") && detail.contains("data-event=\"submitted\""))
        #expect(!detail.contains("seed-d"), "the lease token is shown")
        #expect(try server.request("GET", "/jobs/0000000000aaaaaaaaaa@default").status == 404)
    }

    /// prometheus_client's parser reads every family with its type, and the values are Redis's.
    @Test func metricsParseWithPrometheusClientAndMatchRedis() throws {
        let f = try DashboardFixture()
        try f.seed()
        #expect(try f.queue.pause("reports"))
        let server = try f.dashboard()
        defer { server.stop() }
        let scrape = try server.request("GET", "/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let families = try parse(scrape.text)
        let expectedTypes = ["mmp_jobs": "gauge", "mmp_jobs_completed": "counter", "mmp_queue_oldest_pending_seconds": "gauge",
                             "mmp_queue_paused": "gauge", "mmp_workers": "gauge", "mmp_worker_busy_slots": "gauge",
                             "mmp_job_duration_seconds": "histogram"]
        for (name, type) in expectedTypes { #expect((families[name] ?? families[name + "_total"])?["type"]?.stringValue == type, "\(name)") }
        func value(_ family: String, _ sample: String, _ labels: [String: String]) -> Double? {
            families[family]?["samples"]?.arrayValue?.first { s in
                s["name"]?.stringValue == sample && labels.allSatisfy { s["labels"]?[$0.key]?.stringValue == $0.value }
            }?["value"]?.doubleValue
        }
        for c in try f.queue.counts() {
            for (label, state) in [("pending", JobState.queued), ("scheduled", .scheduled), ("active", .active), ("succeeded", .succeeded),
                                   ("failed", .failed), ("dead", .dead), ("cancelled", .cancelled)] {
                #expect(value("mmp_jobs", "mmp_jobs", ["queue": c.queue, "state": label]) == Double(c.count(state)), "\(c.queue) \(label)")
            }
            #expect(value("mmp_queue_paused", "mmp_queue_paused", ["queue": c.queue]) == (c.paused ? 1 : 0))
            #expect((value("mmp_queue_oldest_pending_seconds", "mmp_queue_oldest_pending_seconds", ["queue": c.queue]) ?? -1) >= 0)
            #expect(value("mmp_workers", "mmp_workers", ["queue": c.queue]) == 0)
        }
        let stats = try f.queue.statistics(queues: ["default"])[0]
        for state in CompletionTotals.states {
            #expect(value("mmp_jobs_completed", "mmp_jobs_completed_total", ["queue": "default", "state": state.rawValue])
                    == Double(stats.totals.count(state)), "\(state)")
        }
        #expect(stats.totals.succeeded == 2 && stats.totals.dead == 2 && stats.totals.failed == 1 && stats.totals.cancelled == 1)
        #expect(value("mmp_job_duration_seconds", "mmp_job_duration_seconds_count", ["queue": "default", "recipe": "noop"]) == 5)
        #expect(value("mmp_job_duration_seconds", "mmp_job_duration_seconds_bucket", ["queue": "default", "recipe": "noop", "le": "+Inf"]) == 5)
        #expect(value("mmp_worker_busy_slots", "mmp_worker_busy_slots", [:]) == 0)

        // `mmp metrics` prints the same families.
        let printed = try f.mmp(["metrics"])
        #expect(printed.status == 0, "\(printed.stderr)")
        let again = try parse(printed.stdout)
        #expect(Set(again.keys) == Set(families.keys))
        #expect(again["mmp_jobs"]?["samples"] == families["mmp_jobs"]?["samples"])
    }

    func parse(_ text: String) throws -> [String: JSON] {
        let python = try TestEnvironment.required("MMP_TEST_DASHBOARD_PYTHON", for: "prometheus_client (scripts/test.d/60-chromium.sh)")
        let r = try runProcess(python, ["\(TestEnvironment.repoRoot)/scripts/browser/parse_metrics.py"], stdin: text)
        guard r.status == 0 else { throw MMPError.invalidInput("prometheus_client refused the text: \(r.stderr)\n\(text)") }
        return try JSON.parse(r.stdout.trimmed()).objectValue.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key, $0.value) }) } ?? [:]
    }

    /// Redis killed under the dashboard: pages say so (503) and the process lives; Redis back: pages work.
    @Test func survivesRedisGoingAwayAndComingBack() throws {
        let redis = try OwnRedis()
        let f = try DashboardFixture(redisURL: redis.url)
        try f.seed()
        let server = try f.dashboard()
        defer { server.stop() }
        #expect(try server.request("GET", "/").status == 200)
        redis.kill()
        for path in ["/", "/jobs", "/workers", "/overview/live", "/jobs/0000000000aaaaaaaaaa@default"] {
            let page = try server.request("GET", path)
            #expect(page.status == 503, "\(path)")
            #expect(page.text.contains("Redis is unreachable"), "\(path)")
        }
        #expect(try server.request("GET", "/metrics").status == 503)
        #expect(server.process.wait(timeout: 0) == nil, "the dashboard exited")
        try redis.start()
        let back = waitUntil(20, interval: 0.1) { (try? server.request("GET", "/"))?.status == 200 }
        #expect(back, "\(server.output)")
        let page = try server.request("GET", "/")
        #expect(!page.text.contains("Redis is unreachable"))
    }
}
