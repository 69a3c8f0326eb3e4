import MMPCore

/// One `host:port` a Redis client talks to: a server, a sentinel or a cluster node.
public struct RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses `host:port` (`[v6]:port` too); `field` names the setting in errors.
    public init(parsing text: String, field: String) throws {
        let trimmed = text.trimmed()
        var host = Substring(trimmed), portText = Substring("")
        if trimmed.hasPrefix("["), let close = trimmed.firstIndex(of: "]") {
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            portText = rest.hasPrefix(":") ? rest.dropFirst() : rest
        } else if let colon = trimmed.lastIndex(of: ":") {
            host = trimmed[..<colon]
            portText = trimmed[trimmed.index(after: colon)...]
        }
        guard !host.isEmpty else { throw MMPError(.invalidConfig, "\(field): '\(trimmed)' names no host; expected host:port") }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw MMPError(.invalidConfig, "\(field): '\(trimmed)' has no port number; expected host:port (a sentinel listens on 26379 by default)")
        }
        self.init(host: String(host), port: port)
    }

    /// A comma-separated list (`REDIS_SENTINELS=a:26379,b:26379`); blanks are skipped.
    public static func list(_ text: String, field: String) throws -> [RedisEndpoint] {
        try text.split(separator: ",").map { String($0).trimmed() }.filter { !$0.isEmpty }.map {
            try RedisEndpoint(parsing: $0, field: field)
        }
    }
}
