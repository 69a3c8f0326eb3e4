import HTTPTypes
import Hummingbird
import Logging
import MMPCore

/// Turns whatever a handler throws into the JSON error body (`APIError`), with the request id:
/// an `APIError` as it is, Hummingbird's `HTTPError` (no such route) by its status, anything
/// else a 500 whose message is logged here but not sent (it may name internals).
public struct JSONErrorMiddleware<Context: RequestIdentifying>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response(requestID: context.requestID)
        } catch let error as HTTPError {
            return APIError(error).response(requestID: context.requestID)
        } catch {
            context.logger.error("request failed", metadata: [
                "request_id": .string(context.requestID), "path": .string(request.uri.path),
                "error": .string(MMPError.wrap(error).message),
            ])
            return APIError(.internalServerError, code: "INTERNAL_ERROR",
                            message: "the server failed to answer; its log has the reason (request id \(context.requestID))")
                .response(requestID: context.requestID)
        }
    }
}
