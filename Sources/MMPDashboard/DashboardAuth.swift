import HTTPTypes
import Hummingbird
import MMPHTTP

/// `MMP_DASHBOARD_TOKEN`, when set, is required on every request: `Authorization: Bearer
/// <token>`, or basic auth with the token as password (any user name), so that a browser's own
/// login prompt works. Compared in constant time; the token never appears in a page or a log.
public struct DashboardAuth: Sendable {
    let token: [UInt8]?

    public init(token: String?) {
        self.token = token.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
    }

    /// Whether a request with this `Authorization` header may pass.
    public func allows(_ authorization: String?) -> Bool {
        guard let token else { return true }
        guard let given = DashboardAuth.credential(authorization) else { return false }
        return ConstantTime.equal(given, token)
    }

    /// The secret a header carries: the Bearer token or the basic-auth password.
    static func credential(_ header: String?) -> [UInt8]? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        switch parts[0].lowercased() {
        case "bearer":
            return Array(parts[1].trimmingSpaces.utf8)
        case "basic":
            guard let decoded = Base64.decode(String(parts[1].trimmingSpaces)), let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            return Array(decoded[(colon + 1)...])
        default:
            return nil
        }
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}

/// Comparisons whose time does not depend on where the inputs differ.
public enum ConstantTime {
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        // The length is not secret (a token's length is no help to a guesser); its bytes are.
        var difference = UInt8(a.count == b.count ? 0 : 1)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}

/// Standard base64 (RFC 4648) decoding, padding optional; nil on anything else.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0, bits = 0
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = c - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = c - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="): continue
            default: return nil
            }
            buffer = (buffer << 6) | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}

/// 401 for a request without the token (every page, action and /metrics alike).
struct DashboardAuthMiddleware<Context: RequestIdentifying>: RouterMiddleware {
    let auth: DashboardAuth

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard auth.allows(request.headers[.authorization]) else {
            return Response(status: .unauthorized,
                            headers: [.wwwAuthenticate: "Basic realm=\"mmp dashboard\", charset=\"UTF-8\"", .contentType: "text/plain; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "401: this dashboard needs MMP_DASHBOARD_TOKEN (Authorization: Bearer, or as the basic-auth password)\n")))
        }
        return try await next(request, context)
    }
}

/// The CSRF token of this server run: random, put into every action form, and required (in
/// constant time) on every POST. A page of another site cannot read it, so it cannot forge an
/// action even in a browser that holds the credentials.
public struct CSRFToken: Sendable {
    public let value: String

    public init() {
        var generator = SystemRandomNumberGenerator()
        value = (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }

    public func accepts(_ given: String?) -> Bool {
        guard let given else { return false }
        return ConstantTime.equal(Array(given.utf8), Array(value.utf8))
    }
}
