import Foundation
import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

/// The dashboard in a real headless Chromium (Debian's, driven by Selenium): what a person sees
/// and presses, checked against Redis and `mmp queues --json`, with a real `mmp-worker`.
@Suite struct DashboardBrowserTests {
    /// Screenshots go to MMP_SCREENSHOT_DIR (docs/images when refreshing the docs) or the state folder.
    func screenshotPath(_ name: String) throws -> String {
        let state = try TestEnvironment.stateDirectory()
        let dir = TestEnvironment.variables["MMP_SCREENSHOT_DIR"] ?? "\(state)/screenshots"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return "\(dir)/\(name)"
    }

    func isPNG(_ path: String) -> Bool {
        (FileManager.default.contents(atPath: path)?.prefix(4)).map { Array($0) == [0x89, 0x50, 0x4E, 0x47] } ?? false
    }

    @Test func overviewJobsRetryFilterAndPauseInChromium() throws {
        let f = try DashboardFixture()
        let seeded = try f.seed()
        let server = try f.dashboard()
        defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        let browser = try BrowserSession()
        defer { browser.close() }

        // The overview shows what `mmp queues --json` says.
        try browser.get(base + "/")
        let depths = try f.queuesJSON()
        for queue in ["default", "reports"] {
            for state in ["pending", "scheduled", "active", "succeeded", "failed", "dead", "cancelled"] {
                let shown = try browser.texts("#queues tr[data-queue=\"\(queue)\"] td[data-state=\"\(state)\"]")
                #expect(shown == [String(depths[queue]?[state]?.intValue ?? -1)], "\(queue) \(state)")
            }
        }
        #expect(try browser.texts("#processed") == ["3"])
        #expect(try browser.texts("#failed") == ["3"])
        #expect(try browser.attrs("#chart rect", "fill").contains("#2da44e"))
        let overviewShot = try screenshotPath("dashboard-overview.png")
        try browser.screenshot(overviewShot)
        #expect(isPNG(overviewShot))

        // Filter by recipe with the form.
        try browser.get(base + "/jobs")
        try browser.fill("#filters input[name=recipe]", "diagnostic")
        try browser.submit("#filters")
        #expect(try browser.texts("#jobs td.recipe") == ["diagnostic"])
        #expect(try browser.url().contains("recipe=diagnostic"))

        // Open a dead job from the list.
        try browser.get(base + "/jobs?queue=default&state=dead")
        let dead = seeded.dead[0]
        try browser.click("#jobs tr[data-job=\"\(dead)\"] a")
        #expect(try browser.texts("#job-id") == [dead])
        #expect(try browser.texts("#job-state") == ["dead"])
        #expect(try browser.texts("#error").first?.contains("boom at step 3") == true)
        #expect(try browser.texts("#timeline tr[data-event=dead]").count == 1)
        let jobShot = try screenshotPath("dashboard-job.png")
        try browser.screenshot(jobShot)
        #expect(isPNG(jobShot))

        // A worker; press Retry on the dead job and see it run to success.
        let log = "\(try TestEnvironment.stateDirectory())/\(f.prefix)-worker.log"
        let worker = try f.worker(queues: "default", log: log)
        defer { worker.stop(grace: 10) }
        try browser.click("#actions button[data-action=\"/jobs/\(HTMLQuery.encode(dead))/retry\"]")
        #expect(try browser.texts("#notice").first?.contains("queued") == true)
        let ran = try waitUntil(60, interval: 0.25) { try f.queue.record(dead)?.state == .succeeded }
        #expect(ran, "\((try? readFile(log)) ?? "")")
        try browser.get(base + "/jobs/\(HTMLQuery.encode(dead))")
        #expect(try browser.texts("#job-state") == ["succeeded"])
        #expect(try browser.texts("#timeline tr[data-event=retried]").count + browser.texts("#timeline tr[data-event=queued]").count >= 1)

        // Live updates: the overview's numbers change without a reload.
        try browser.get(base + "/")
        let processed = Int(try browser.texts("#processed").first ?? "") ?? -1
        let extra = try f.queue.submit(.init(queue: "default", payload: noop(99)))
        #expect(try waitUntil(60, interval: 0.25) { try f.queue.record(extra.id)?.state == .succeeded })
        try browser.waitText("#processed", String(processed + 1), timeout: 30)
        #expect(try !browser.attrs("#live", "data-updated").joined().isEmpty)

        // Pause `default` with its button: the worker leaves a new job alone until Resume.
        try browser.click("form[action=\"/queues/default/pause\"] button")
        #expect(try browser.texts("#queues tr[data-queue=\"default\"] [data-paused]") == ["paused"])
        #expect(try f.queue.counts(queues: ["default"]).first?.paused == true)
        let held = try f.queue.submit(.init(queue: "default", payload: noop(100)))
        // Longer than the worker's block timeout (1 s) several times over.
        Backoff.sleep(4)
        #expect(try f.queue.record(held.id)?.state == .queued)
        #expect(worker.wait(timeout: 0) == nil, "the worker exited: \((try? readFile(log)) ?? "")")
        try browser.get(base + "/workers")
        #expect(try browser.texts("#worker-count") == ["1"])
        try browser.get(base + "/")
        try browser.click("form[action=\"/queues/default/resume\"] button")
        #expect(try waitUntil(60, interval: 0.25) { try f.queue.record(held.id)?.state == .succeeded })
    }
}

/// The dashboard's own path encoding of an id (`@` as %40), for selectors.
enum HTMLQuery {
    static func encode(_ text: String) -> String {
        text.replacingOccurrences(of: "@", with: "%40")
    }
}
