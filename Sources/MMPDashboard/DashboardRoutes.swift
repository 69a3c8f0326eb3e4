import HTTPTypes
import Hummingbird
import MMPCore
import MMPHTTP
import MMPQueue
import NIOCore

/// Per request: Hummingbird's storage and the request id.
public struct DashboardContext: RequestIdentifying {
    public var coreContext: CoreRequestContextStorage
    public var requestID = ""

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// The dashboard's pages (GET), actions (POST with the CSRF token; 403 when read-only) and
/// `/metrics`. Every page answers even when Redis is away: it says so (503) instead.
struct DashboardRoutes: Sendable {
    let fleet: DashboardFleet
    let options: DashboardOptions
    let csrf: CSRFToken

    func router() -> Router<DashboardContext> {
        let router = Router(context: DashboardContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: DashboardAuthMiddleware(auth: DashboardAuth(token: options.token)))
        router.get("/health") { _, _ in Response.text("ok\n") }
        router.get("/") { request, _ in try await overview(request, fragmentOnly: false) }
        router.get("/overview/live") { request, _ in try await overview(request, fragmentOnly: true) }
        router.get("/jobs") { request, _ in try await jobs(request) }
        router.get("/jobs/:id") { request, context in try await job(request, id: FormBody.decode(Substring(context.parameters.get("id") ?? ""), plusIsSpace: false)) }
        router.get("/workers") { request, _ in
            try await page("Workers", "Workers", request) { q in
                let workers = try q.workers()
                return { layout in WorkersPage(workers: workers, nowMillis: Clock.nowMillis()).render(layout: layout) }
            }
        }
        router.get("/metrics") { _, _ in
            do {
                let text = try await fleet.read { try FleetMetrics.read($0).text }
                return Response.text(text, contentType: PrometheusText.contentType)
            } catch {
                return Response.text("# redis unreachable: \(MMPError.wrap(error).message)\n", status: .serviceUnavailable)
            }
        }
        for name in ["cancel", "retry", "delete", "promote"] {
            router.post("/jobs/:id/\(name)") { request, context in
                try await act(request) { q in try jobAction(name, id: FormBody.decode(Substring(context.parameters.get("id") ?? ""), plusIsSpace: false), q) }
            }
        }
        for name in ["pause", "resume", "retry-all", "delete-all"] {
            router.post("/queues/:queue/\(name)") { request, context in
                try await act(request) { q in try queueAction(name, queue: FormBody.decode(Substring(context.parameters.get("queue") ?? ""), plusIsSpace: false), request: request, q) }
            }
        }
        return router
    }

    // MARK: Pages

    /// Reads with `load` (on the thread pool) and renders; a Redis failure becomes a page that says so.
    func page(_ title: String, _ active: String, _ request: Request,
              _ load: @escaping @Sendable (JobQueue) throws -> @Sendable (PageLayout) -> String) async throws -> Response {
        let notice = request.uri.queryParameters.get("notice")
        var layout = PageLayout(title: title, active: active, readOnly: options.readOnly, notice: notice, problem: nil)
        do {
            let render = try await fleet.read(load)
            return html(render(layout))
        } catch let error as MMPError where error.kind == .invalidInput || error.kind == .notFound {
            layout.problem = error.message
            return html(layout.render("<h1>\(HTML.escape(title))</h1>"), status: error.kind == .notFound ? .notFound : .badRequest)
        } catch {
            layout.problem = "Redis is unreachable (\(options.redis.endpoint)): \(MMPError.wrap(error).message). The page will work again once it is back."
            return html(layout.render("<h1>\(HTML.escape(title))</h1>"), status: .serviceUnavailable)
        }
    }

    func overview(_ request: Request, fragmentOnly: Bool) async throws -> Response {
        let range = request.uri.queryParameters.get("range").flatMap(QueueTimeline.Range.init(rawValue:)) ?? .hour
        let (readOnly, csrf, refresh) = (options.readOnly, csrf.value, options.refreshSeconds)
        if fragmentOnly {
            do {
                let data = try await fleet.read { try OverviewData.read($0, range: range) }
                return html(OverviewPage(data: data, range: range, readOnly: readOnly, csrf: csrf).fragment())
            } catch {
                return html("<div class=\"banner problem\" id=\"problem\">Redis is unreachable (\(HTML.escape(options.redis.endpoint))): "
                            + "\(HTML.escape(MMPError.wrap(error).message))</div>", status: .serviceUnavailable)
            }
        }
        return try await page("Overview", "Overview", request) { q in
            let data = try OverviewData.read(q, range: range)
            return { layout in OverviewPage(data: data, range: range, readOnly: readOnly, csrf: csrf).render(layout: layout, refreshSeconds: refresh) }
        }
    }

    func jobs(_ request: Request) async throws -> Response {
        let p = request.uri.queryParameters
        func text(_ key: String) -> String { p.get(key).map { String($0).trimmed() } ?? "" }
        let fromText = text("from"), toText = text("to")
        let queueText = text("queue"), stateText = text("state"), pageText = text("page")
        var given = JobFilter()
        given.id = text("id")
        given.recipe = text("recipe")
        given.worker = text("worker")
        let base = given
        return try await page("Jobs", "Jobs", request) { q in
            var filter = base
            if !queueText.isEmpty { filter.queue = try QueueName.validated(queueText) }
            if !stateText.isEmpty {
                guard let s = JobState(rawValue: stateText) else {
                    throw MMPError.invalidInput("state: '\(stateText)' is not one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                filter.state = s
            }
            filter.page = max(0, min(Int(pageText) ?? 0, 1000))
            filter.fromMillis = try JobsPage.parseTime(fromText, field: "from")
            filter.toMillis = try JobsPage.parseTime(toText, field: "to")
            let result = try q.search(filter)
            let queues = try q.queueNames()
            let chosen = filter
            return { layout in
                JobsPage(filter: chosen, page: result, queues: queues, fromText: fromText, toText: toText, nowMillis: Clock.nowMillis())
                    .render(layout: layout)
            }
        }
    }

    func job(_ request: Request, id: String) async throws -> Response {
        let (readOnly, csrf) = (options.readOnly, csrf.value)
        return try await page("Job \(id)", "Jobs", request) { q in
            guard JobID.isValid(id) else { throw MMPError.invalidInput("'\(id)' is not a job id") }
            guard let detail = try JobDetail.read(q, id: id) else {
                throw MMPError.notFound("job \(id) not found (it never existed, was deleted, or its record expired)")
            }
            return { layout in JobDetailPage(detail: detail, readOnly: readOnly, csrf: csrf).render(layout: layout) }
        }
    }

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var response = Response.text(text, contentType: "text/html; charset=utf-8", status: status)
        // Pages carry the CSRF token: never framed by another site, never cached.
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'none'"
        return response
    }

    // MARK: Actions

    /// A POST action: refused when read-only (403) or without this run's CSRF token (403);
    /// done on the thread pool; then back to the page it concerns with a notice.
    func act(_ request: Request, _ body: @escaping @Sendable (JobQueue) throws -> (notice: String, back: String)) async throws -> Response {
        if options.readOnly {
            return Response.text("403: this dashboard is read-only (--read-only)\n", status: .forbidden)
        }
        let form = FormBody.parse(String(buffer: try await request.body.collect(upTo: 64 * 1024)))
        guard csrf.accepts(form["csrf"]) else {
            return Response.text("403: missing or wrong CSRF token; reload the page and try again\n", status: .forbidden)
        }
        do {
            let (notice, back) = try await fleet.read(body)
            return redirect(back, notice: notice)
        } catch let error as MMPError where error.kind == .invalidInput || error.kind == .notFound {
            return redirect(request.uri.path.hasPrefix("/jobs/") ? "/jobs" : "/", notice: error.message)
        } catch {
            return html(PageLayout(title: "Action failed", active: "", readOnly: false, notice: nil,
                                   problem: "Redis is unreachable (\(options.redis.endpoint)): \(MMPError.wrap(error).message); nothing was done.")
                .render("<h1>Action failed</h1>"), status: .serviceUnavailable)
        }
    }

    func redirect(_ path: String, notice: String) -> Response {
        let separator = path.contains("?") ? "&" : "?"
        return Response.redirect(to: path + separator + "notice=" + HTML.query(notice), type: .normal)
    }

    func jobAction(_ name: String, id: String, _ q: JobQueue) throws -> (notice: String, back: String) {
        guard JobID.isValid(id) else { throw MMPError.invalidInput("'\(id)' is not a job id") }
        let page = "/jobs/" + HTML.query(id)
        switch name {
        case "cancel":
            switch try q.cancel(id) {
            case .cancelled: return ("cancelled \(id)", page)
            case .cancelling: return ("cancelling \(id): its worker stops it within a heartbeat", page)
            case .alreadyFinished(let state): return ("\(id) had already ended (\(state))", page)
            }
        case "retry":
            _ = try q.retry(id)
            return ("queued \(id) again", page)
        case "promote":
            try q.promote(id)
            return ("queued \(id) now", page)
        default:
            let from = try q.delete(id)
            return ("deleted \(id)\(from.map { " (it was \($0.rawValue))" } ?? "")", "/jobs")
        }
    }

    func queueAction(_ name: String, queue: String, request: Request, _ q: JobQueue) throws -> (notice: String, back: String) {
        let queue = try QueueName.validated(queue)
        switch name {
        case "pause":
            return (try q.pause(queue) ? "paused \(queue)" : "\(queue) was already paused", "/")
        case "resume":
            return (try q.resume(queue) ? "resumed \(queue)" : "\(queue) was not paused", "/")
        default:
            let stateText = request.uri.queryParameters.get("state").map { String($0) } ?? "dead"
            guard let state = JobState(rawValue: stateText), [JobState.dead, .failed, .cancelled].contains(state) else {
                throw MMPError.invalidInput("state must be dead, failed or cancelled, not '\(stateText)'")
            }
            if name == "retry-all" {
                let r = try q.retryAll(queue: queue, state: state)
                return ("retried \(r.done) \(state.rawValue) jobs of \(queue)", "/")
            }
            let r = try q.deleteAll(queue: queue, state: state)
            return ("deleted \(r.done) \(state.rawValue) jobs of \(queue)", "/")
        }
    }
}

/// `application/x-www-form-urlencoded` fields.
enum FormBody {
    static func parse(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = kv.first.map({ decode($0) }) else { continue }
            out[key] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return out
    }

    /// Percent-decoding (a path segment: `plusIsSpace` false).
    static func decode(_ s: Substring, plusIsSpace: Bool = true) -> String {
        var bytes: [UInt8] = []
        var i = s.utf8.startIndex
        let u = s.utf8
        while i < u.endIndex {
            let b = u[i]
            if b == UInt8(ascii: "+"), plusIsSpace {
                bytes.append(0x20)
            } else if b == UInt8(ascii: "%"), let j = u.index(i, offsetBy: 2, limitedBy: u.index(before: u.endIndex)),
                      let v = UInt8(String(decoding: u[u.index(after: i)...j], as: UTF8.self), radix: 16) {
                bytes.append(v)
                i = j
            } else {
                bytes.append(b)
            }
            i = u.index(after: i)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
