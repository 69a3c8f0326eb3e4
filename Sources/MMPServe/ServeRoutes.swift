import HTTPTypes
import Hummingbird
import MMPCore
import MMPHTTP
import NIOCore

/// The routes of `mmp serve` (paths and bodies as the Python tool's serving API).
struct ServeRoutes: Sendable {
    let slot: ModelSlot
    let predictor: Predictor
    let metrics: ServeMetrics
    let options: ServeOptions

    func router() -> Router<ServeRequestContext> {
        let router = Router(context: ServeRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: HTTPMetricsMiddleware(metrics.http))
        router.add(middleware: JSONErrorMiddleware())
        router.get("/") { _, _ in root() }
        router.get("/health") { _, _ in Response.json(text: #"{"status":"ok"}"#) }
        router.get("/ready") { _, _ in try ready() }
        router.post("/predict") { request, context in
            let body = try await Self.body(request, limit: options.maxBodyBytes)
            let answer = try await predictor.predictOne(body, deadline: context.receivedAt + options.requestTimeout)
            return respond(answer)
        }
        router.post("/predict/batch") { request, context in
            let body = try await Self.body(request, limit: options.maxBodyBytes)
            let answer = try await predictor.predictBatch(body, deadline: context.receivedAt + options.requestTimeout)
            return respond(answer)
        }
        router.get("/model/metadata") { _, _ in Response.json(text: try predictor.current().metadataText) }
        router.get("/model/schema") { _, _ in Response.json(text: try predictor.current().schemaText) }
        router.get("/metrics") { _, _ in Response.text(metrics.registry.render(), contentType: PrometheusText.contentType) }
        return router
    }

    /// The answer, with the version that computed it (a hot swap may happen between requests).
    func respond(_ answer: Predictor.Answer) -> Response {
        var response = Response.json(text: answer.body)
        response.headers[.modelVersion] = answer.model.revision.label
        return response
    }

    func root() -> Response {
        var o = JSONObject()
        o["service"] = "mmp serve"
        o["mmp_version"] = .string(MMPVersion.current)
        if let model = slot.model {
            o["status"] = "ready"
            for (k, v) in model.summary { o[k] = v }
        } else {
            o["status"] = "loading"
            o["model_uri"] = .string(options.modelURI)
            o["error"] = slot.lastError.map(JSON.string) ?? .null
        }
        return .json(.object(o))
    }

    func ready() throws -> Response {
        guard let model = slot.model else {
            throw APIError(.serviceUnavailable, code: "MODEL_NOT_READY",
                           message: "the model \(options.modelURI) is not loaded yet\(slot.lastError.map { ": \($0)" } ?? "")",
                           headers: [.retryAfter: "1"])
        }
        var o = JSONObject([("status", "ready")])
        for (k, v) in model.summary { o[k] = v }
        if let error = slot.lastError { o["last_reload_error"] = .string(error) }
        return .json(.object(o))
    }

    /// The request body, at most `limit` bytes (more is 422, as the Python tool's contract has it).
    static func body(_ request: Request, limit: Int) async throws -> [UInt8] {
        let tooLarge = APIError(.unprocessableContent, code: "BODY_TOO_LARGE",
                                message: "the body is larger than the server's limit of \(limit) bytes (--max-body-size); send fewer rows per request")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw tooLarge }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        } catch is NIOTooManyBytesError {
            // A body without a Content-Length (chunked) that passes the limit.
            throw tooLarge
        }
    }
}

extension HTTPField.Name {
    /// Which model version answered a prediction.
    static let modelVersion = HTTPField.Name("X-Model-Version")!
}
