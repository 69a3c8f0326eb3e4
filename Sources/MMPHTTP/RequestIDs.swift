import HTTPTypes
import Hummingbird

/// A request context that carries the request's id (from `X-Request-ID`, or made here).
public protocol RequestIdentifying: RequestContext {
    var requestID: String { get set }
}

extension HTTPField.Name {
    public static let requestID = HTTPField.Name("X-Request-ID")!
}

/// Takes the caller's `X-Request-ID` (1 to 128 visible ASCII characters, so that it is safe in
/// logs and headers) or makes one, gives it to the handlers, and echoes it on every response,
/// errors included.
public struct RequestIDMiddleware<Context: RequestIdentifying>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestID = RequestIDs.accept(request.headers[.requestID]) ?? RequestIDs.make()
        var response = try await next(request, context)
        response.headers[.requestID] = context.requestID
        return response
    }
}

public enum RequestIDs {
    /// The caller's id when it is usable as given.
    public static func accept(_ given: String?) -> String? {
        guard let given, !given.isEmpty, given.utf8.count <= 128,
              given.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        return given
    }

    /// 128 random bits as 32 hex digits.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(generator.next()) + hex(generator.next())
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
