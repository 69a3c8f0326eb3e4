import MMPCore

/// Where and how to reach Redis: host, port, credentials, database and timeouts.
///
/// Built from `REDIS_URL` (`redis://[[user]:password@]host[:port][/db]`) or from `REDIS_HOST`,
/// `REDIS_PORT`, `REDIS_PASSWORD` (the contract's variables), or from a config's `queue.redis`
/// section. `description` and every error name the endpoint (`host:port`), never the password.
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

    public init(host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
                database: Int = 0, connectTimeout: Double = 5, commandTimeout: Double = 10) {
        self.host = host; self.port = port; self.username = username; self.password = password
        self.database = database; self.connectTimeout = connectTimeout; self.commandTimeout = commandTimeout
    }

    /// `host:port`, for messages.
    public var endpoint: String { "\(host):\(port)" }

    /// Parses `redis://[[user]:password@]host[:port][/db]`. Errors quote the URL without its password.
    public init(url: String) throws {
        self.init()
        let shown = SecretScrubber.redactURLPasswords(in: url)
        guard url.hasPrefix("redis://") else {
            throw MMPError(.invalidConfig, "REDIS_URL '\(shown)' must start with redis:// (TLS, rediss://, is not supported)")
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

    /// From the contract's environment variables: `REDIS_URL` wins; else `REDIS_HOST`,
    /// `REDIS_PORT`, `REDIS_PASSWORD`, `REDIS_DB`. Missing ones keep the defaults (127.0.0.1:6379).
    public static func fromEnvironment(_ variables: [String: String]) throws -> RedisSettings {
        if let url = variables["REDIS_URL"]?.trimmed(), !url.isEmpty { return try RedisSettings(url: url) }
        var settings = RedisSettings()
        if let host = variables["REDIS_HOST"]?.trimmed(), !host.isEmpty { settings.host = host }
        if let portText = variables["REDIS_PORT"]?.trimmed(), !portText.isEmpty {
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw MMPError(.invalidConfig, "REDIS_PORT '\(portText)' is not a port number (1-65535)")
            }
            settings.port = port
        }
        if let password = variables["REDIS_PASSWORD"], !password.isEmpty { settings.password = password }
        if let dbText = variables["REDIS_DB"]?.trimmed(), !dbText.isEmpty {
            guard let db = Int(dbText), db >= 0 else { throw MMPError(.invalidConfig, "REDIS_DB '\(dbText)' is not a database number") }
            settings.database = db
        }
        return settings
    }

    /// From a resolved `queue.redis` config section (`url`, `host`, `port`, `password`, `database`,
    /// `connect_timeout`, `command_timeout`). A non-empty `url` wins.
    public static func fromSection(_ section: JSON) throws -> RedisSettings {
        var settings = RedisSettings()
        if let url = section["url"]?.plainText.trimmed(), !url.isEmpty, section["url"]?.isNull == false {
            settings = try RedisSettings(url: url)
        } else {
            if let host = section["host"], !host.isNull {
                // A config that names the field but leaves it empty (prod: `${REDIS_HOST:-}`)
                // wants it from the environment: no silent fallback to localhost.
                guard !host.plainText.trimmed().isEmpty else {
                    throw MMPError(.invalidConfig, "queue.redis: neither url nor host is set; set REDIS_URL, or REDIS_HOST and REDIS_PORT")
                }
                settings.host = host.plainText.trimmed()
            }
            if let port = section["port"], !port.isNull, port.plainText != "" {
                guard let p = port.intValue ?? Int(port.plainText), (1...65535).contains(p) else {
                    throw MMPError(.invalidConfig, "queue.redis.port: expected a port number, found \(port.typeDescription)")
                }
                settings.port = p
            }
            if let password = section["password"]?.stringValue, !password.isEmpty { settings.password = password }
            if let db = section["database"]?.intValue { settings.database = db }
        }
        if let t = section["connect_timeout"], !t.isNull { settings.connectTimeout = try seconds(t, "queue.redis.connect_timeout") }
        if let t = section["command_timeout"], !t.isNull { settings.commandTimeout = try seconds(t, "queue.redis.command_timeout") }
        return settings
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

    public static func == (a: RedisSettings, b: RedisSettings) -> Bool {
        a.host == b.host && a.port == b.port && a.username == b.username && a.password == b.password
            && a.database == b.database && a.connectTimeout == b.connectTimeout && a.commandTimeout == b.commandTimeout
    }
}

extension RedisSettings: CustomStringConvertible {
    /// `redis://127.0.0.1:6379/0`, with `***` for a password.
    public var description: String {
        let auth = password == nil ? "" : "\(username ?? ""):***@"
        return "redis://\(auth)\(host):\(port)/\(database)"
    }
}
