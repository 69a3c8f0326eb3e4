import HTTPTypes
import Hummingbird
import MMPCore

/// An error an HTTP handler answers with: a status and the JSON body every mmp server uses,
///
/// ```json
/// {"detail": ..., "error_code": "MISSING_COLUMN", "message": "...", "request_id": "..."}
/// ```
///
/// `message` is one line for a person; `detail` is what a program reads: FastAPI's shape, a
/// text or a list of `{"loc": [...], "msg": ..., "type": ...}` problems; `error_code` is stable.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var detail: JSON
    /// Extra response headers (Retry-After on a 503).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, detail: JSON? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail ?? .string(message)
        self.headers = headers
    }

    /// The JSON body, with the request's id.
    public func body(requestID: String) -> JSON {
        .object(JSONObject([
            ("detail", detail), ("error_code", .string(code)), ("message", .string(message)), ("request_id", .string(requestID)),
        ]))
    }

    public func response(requestID: String) -> Response {
        var response = Response.json(body(requestID: requestID), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// Errors Hummingbird itself throws (no route, a body over the limit) in the same shape.
    public init(_ error: HTTPError) {
        let code: String
        switch error.status {
        case .notFound: code = "NOT_FOUND"
        case .methodNotAllowed: code = "METHOD_NOT_ALLOWED"
        case .contentTooLarge: code = "BODY_TOO_LARGE"
        case .badRequest: code = "BAD_REQUEST"
        default: code = "HTTP_\(error.status.code)"
        }
        self.init(error.status, code: code, message: error.body ?? error.status.reasonPhrase, headers: error.headers)
    }

    /// One validation problem in FastAPI's form: where (`["body", "samples", 3, "age"]`), what, which kind.
    public static func problem(loc: [JSON], message: String, type: String) -> JSON {
        .object(JSONObject([("loc", .array(loc)), ("msg", .string(message)), ("type", .string(type))]))
    }
}
