import MMPCore

/// Where and how to reach Redis: host, port (or the sentinels that know the master), credentials,
/// database and timeouts.
///
/// Built from `REDIS_URL` (`redis://[[user]:password@]host[:port][/db]`) or from `REDIS_HOST`,
/// `REDIS_PORT`, `REDIS_PASSWORD` (the contract's variables), `REDIS_SENTINELS` and
/// `REDIS_SENTINEL_MASTER`, or from a config's `queue.redis` section (RedisSettings+Sources.swift).
/// A Redis Cluster needs no setting: the connection finds out (`cluster_enabled:1`).
/// `description` and every error name the endpoint (`host:port`), never the password.
public struct RedisSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int
    /// Seconds to wait for the TCP connection.
    public var connectTimeout: Double
    /// Seconds to wait for a reply (blocking commands add their own block time to it).
    public var commandTimeout: Double
    /// Sentinels to ask for the master's address (`REDIS_SENTINELS`); empty: `host:port` is the server.
    public var sentinels: [RedisEndpoint] = []
    /// The name the sentinels monitor the master under (`REDIS_SENTINEL_MASTER`).
    public var sentinelMaster: String?
    /// The sentinels' own password (`REDIS_SENTINEL_PASSWORD`), when they have `requirepass`.
    public var sentinelPassword: String?

    public init(host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
                database: Int = 0, connectTimeout: Double = 5, commandTimeout: Double = 10) {
        self.host = host; self.port = port; self.username = username; self.password = password
        self.database = database; self.connectTimeout = connectTimeout; self.commandTimeout = commandTimeout
    }

    /// `host:port`, or which master of which sentinels, for messages.
    public var endpoint: String {
        if usesSentinels { return "sentinel master '\(sentinelMaster ?? "")'" }
        return RedisEndpoint(host: host, port: port).description
    }

    /// Whether the master's address comes from sentinels.
    public var usesSentinels: Bool { !sentinels.isEmpty }

    /// The server named by host and port.
    public var server: RedisEndpoint { RedisEndpoint(host: host, port: port) }

    /// Parses `redis://[[user]:password@]host[:port][/db]`. Errors quote the URL without its password.
    public init(url: String) throws {
        self.init()
        let shown = SecretScrubber.redactURLPasswords(in: url)
        if url.hasPrefix("rediss://") { throw RedisSettings.tlsRefused(shown) }
        guard url.hasPrefix("redis://") else {
            throw MMPError(.invalidConfig, "REDIS_URL '\(shown)' must start with redis://")
        }
        var rest = Substring(url.dropFirst("redis://".count))
        if let slash = rest.firstIndex(of: "/") {
            let dbText = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !dbText.isEmpty {
                guard let db = Int(dbText), db >= 0 else {
                    throw MMPError(.invalidConfig, "REDIS_URL '\(shown)': database '\(dbText)' is not a number")
                }
                database = db
            }
        }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = credentials[..<colon]
                username = user.isEmpty ? nil : String(user)
                let pass = credentials[credentials.index(after: colon)...]
                password = pass.isEmpty ? nil : RedisSettings.percentDecoded(String(pass))
            } else if !credentials.isEmpty {
                // redis://password@host is what many tools accept.
                password = RedisSettings.percentDecoded(String(credentials))
            }
        }
        if let colon = rest.lastIndex(of: ":") {
            let portText = rest[rest.index(after: colon)...]
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw MMPError(.invalidConfig, "REDIS_URL '\(shown)': port '\(portText)' is not a port number")
            }
            port = p
            rest = rest[..<colon]
        }
        if !rest.isEmpty { host = String(rest) }
    }

    static func seconds(_ value: JSON, _ field: String) throws -> Double {
        if let d = value.doubleValue { return d }
        do { return try DurationParser.seconds(value.plainText) } catch {
            throw MMPError(.invalidConfig, "\(field): \(MMPError.wrap(error).message)")
        }
    }

    static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let b = utf8.popFirst() {
            if b == 37, utf8.count >= 2, let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v); utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

}

extension RedisSettings: CustomStringConvertible {
    /// `redis://127.0.0.1:6379/0`, with `***` for a password; with sentinels, their list and the master's name.
    public var description: String {
        let auth = password == nil ? "" : "\(username ?? ""):***@"
        if usesSentinels {
            return "redis+sentinel://\(auth)\(sentinels.map(\.description).joined(separator: ","))/\(sentinelMaster ?? "")/\(database)"
        }
        return "redis://\(auth)\(server)/\(database)"
    }

    /// hiredis 0.14 (Debian's) speaks no TLS: a `rediss://` URL is refused with the way that works.
    static func tlsRefused(_ shown: String) -> MMPError {
        MMPError(.invalidConfig, """
            REDIS_URL '\(shown)': rediss:// (TLS) is not supported by this build's hiredis 0.14. Run a TLS sidecar \
            instead: stunnel in client mode (`client = yes`, `accept = 127.0.0.1:6380`, `connect = <redis host>:<TLS port>`, \
            `verifyChain = yes`, `CAfile = <CA>`) and set REDIS_URL=redis://127.0.0.1:6380 (docs/redis.md, "TLS")
            """)
    }
}
