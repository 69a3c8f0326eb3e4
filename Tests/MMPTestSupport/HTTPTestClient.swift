#if canImport(Glibc)
import Glibc
#endif
import MMPCore

/// A response as a test sees it.
public struct HTTPTestResponse: Sendable {
    public var status: Int
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
    public func json() throws -> JSON { try JSON.parse(text) }
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A blocking HTTP/1.1 connection to a server on 127.0.0.1, for tests of mmp's own servers:
/// raw bytes in (so a test can send half a request and the rest later), responses with a
/// Content-Length out. No redirects, no TLS, no chunked bodies: the servers under test never
/// send them. Reads time out after `timeout` seconds so that a hung server fails the test.
public final class HTTPTestConnection: @unchecked Sendable {
    // Used by one thread at a time.
    private let fd: Int32
    private var buffer: [UInt8] = []

    public init(port: Int, timeout: Double = 30) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MMPError.io("socket failed") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw MMPError(.connection, "cannot connect to 127.0.0.1:\(port): \(reason)")
        }
    }

    deinit { close(fd) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw MMPError(.connection, "send failed: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// The head of a request with a body of `bodyLength` bytes (the body follows with `send`).
    public static func head(_ method: String, _ path: String, headers: [String: String] = [:], bodyLength: Int?) -> String {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (k, v) in headers.sorted(by: { $0.key < $1.key }) { text += "\(k): \(v)\r\n" }
        if let bodyLength { text += "Content-Length: \(bodyLength)\r\n" }
        return text + "\r\n"
    }

    /// Sends a whole request and reads its response.
    public func request(_ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil) throws -> HTTPTestResponse {
        let bytes = body.map { Array($0.utf8) }
        let headLength = (method == "POST" || method == "PUT") ? (bytes?.count ?? 0) : bytes?.count
        try send(Array(HTTPTestConnection.head(method, path, headers: headers, bodyLength: headLength).utf8) + (bytes ?? []))
        return try readResponse()
    }

    /// Reads one response (status line, headers, Content-Length body).
    public func readResponse() throws -> HTTPTestResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            if let range = find(separator, in: buffer) { headEnd = range } else { try fill() }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw MMPError.io("bad status line in \(head)") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...]).trimmingCharacters(in: " ")
        }
        guard let length = headers["content-length"].flatMap({ Int($0) }) else { throw MMPError.io("response without Content-Length: \(head)") }
        while buffer.count < length { try fill() }
        let body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return HTTPTestResponse(status: status, headers: headers, body: body)
    }

    /// Whether the server closed the connection (reads end of stream before any byte).
    public func isClosedByServer() -> Bool {
        do { try fill(); return false } catch { return true }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65536, 0) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw MMPError(.timeout, "no response: \(String(cString: strerror(errno)))") }
            if n == 0 { throw MMPError(.connection, "the server closed the connection") }
            buffer += chunk[0..<n]
            return
        }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<i + needle.count]) == needle {
            return i
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

/// One request on a connection of its own.
public func httpRequest(port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil,
                        timeout: Double = 30) throws -> HTTPTestResponse {
    try HTTPTestConnection(port: port, timeout: timeout).request(method, path, headers: headers, body: body)
}
