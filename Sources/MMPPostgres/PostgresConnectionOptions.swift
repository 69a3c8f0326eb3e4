import MMPCore

/// Where and how to connect to PostgreSQL.
///
/// Built from a config section (`adapters.postgresql`: host, port, user, database, password,
/// connect_timeout, statement_timeout, sslmode, sslrootcert, sslcert, sslkey) or from a connection URI
/// (`FEATURE_STORE_OFFLINE_URI=postgresql://user@host:port/db`). The password is only ever
/// handed to libpq; `description` and every error message leave it out.
public struct PostgresConnectionOptions: Sendable {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?
    /// Seconds libpq waits for the server to answer a connection attempt (libpq's minimum is 2).
    public var connectTimeout: Int
    /// Seconds a single statement may run before the server cancels it; nil for the server default.
    public var statementTimeout: Double?
    /// libpq `sslmode` (`disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full`); nil
    /// for libpq's default (`prefer`, or `PGSSLMODE`).
    public var sslMode: String?
    /// libpq `sslrootcert`: the CA file that `verify-ca` and `verify-full` check the server against.
    public var sslRootCert: String?
    /// libpq `sslcert` and `sslkey`: a client certificate and its key (for `cert` authentication).
    public var sslCert: String?
    public var sslKey: String?
    public var applicationName: String
    /// Which settings a user changes to fix a connection problem, named in error messages.
    public var origin: Origin

    public enum Origin: Sendable, Equatable {
        /// Separate settings filled from POSTGRES_HOST, POSTGRES_PORT, ... (the names to check).
        case settings(host: String, port: String, user: String, database: String, password: String)
        /// A connection URI from one variable or field.
        case uri(String)

        public static let standardVariables = Origin.settings(
            host: "POSTGRES_HOST", port: "POSTGRES_PORT", user: "POSTGRES_USER", database: "POSTGRES_DB", password: "POSTGRES_PASSWORD")
    }

    public init(host: String = "127.0.0.1", port: Int = 5432, user: String, database: String, password: String?,
                connectTimeout: Int = 10, statementTimeout: Double? = nil, sslMode: String? = nil,
                applicationName: String = "mmp", origin: Origin = .standardVariables) {
        self.host = host; self.port = port; self.user = user; self.database = database; self.password = password
        self.connectTimeout = connectTimeout; self.statementTimeout = statementTimeout; self.sslMode = sslMode
        self.applicationName = applicationName; self.origin = origin
    }

    /// `host:port/database as user`, never with the password.
    public var description: String { "\(host):\(port)/\(database) as \(user)" }

    /// What to change for each kind of problem, e.g. "check POSTGRES_PASSWORD".
    func hint(_ field: HintField) -> String {
        switch origin {
        case .uri(let name): return "check \(name)"
        case .settings(let host, let port, let user, let database, let password):
            switch field {
            case .address: return "check \(host) and \(port)"
            case .user: return "check \(user)"
            case .database: return "check \(database)"
            case .password: return "check \(password)"
            }
        }
    }

    enum HintField { case address, user, database, password }

    /// The keyword/value pairs for `PQconnectdbParams`. Session settings ride in `options` so
    /// every query sees UTC timestamps in ISO format whatever the server's defaults.
    func keywords() -> [(String, String)] {
        var pairs: [(String, String)] = [
            ("host", host), ("port", String(port)), ("user", user), ("dbname", database),
            ("connect_timeout", String(max(2, connectTimeout))), ("application_name", applicationName),
            ("client_encoding", "UTF8"),
        ]
        if let password { pairs.append(("password", password)) }
        if let sslMode { pairs.append(("sslmode", sslMode)) }
        if let sslRootCert { pairs.append(("sslrootcert", sslRootCert)) }
        if let sslCert { pairs.append(("sslcert", sslCert)) }
        if let sslKey { pairs.append(("sslkey", sslKey)) }
        var settings = ["-c TimeZone=UTC", "-c DateStyle=ISO", "-c extra_float_digits=3"]
        if let statementTimeout, statementTimeout > 0 {
            settings.append("-c statement_timeout=\(Int((statementTimeout * 1000).rounded()))")
        }
        pairs.append(("options", settings.joined(separator: " ")))
        return pairs
    }
}

extension PostgresConnectionOptions {
    /// From a config section such as `adapters.postgresql` (already interpolated). A `uri` field,
    /// when present and not empty, wins over the separate fields.
    ///
    /// - Parameter name: how the section is named in messages (`config/dev.yaml adapters.postgresql`).
    public init(section: JSON, name: String, origin: Origin = .standardVariables) throws {
        func text(_ key: String) -> String? {
            guard let value = section[key], !value.isNull else { return nil }
            let s = value.plainText.trimmed()
            return s.isEmpty ? nil : s
        }
        func seconds(_ key: String) throws -> Double? {
            guard let raw = text(key) else { return nil }
            do { return try DurationParser.seconds(raw) } catch {
                throw MMPError(.invalidConfig, "\(name).\(key): \(MMPError.wrap(error).message)")
            }
        }
        if let uri = text("uri") {
            self = try PostgresConnectionOptions(uri: uri, origin: .uri("\(name).uri"))
        } else {
            guard let user = text("user") else { throw MMPError(.invalidConfig, "\(name) has no user") }
            guard let database = text("database") ?? text("dbname") else { throw MMPError(.invalidConfig, "\(name) has no database") }
            var port = 5432
            if let p = text("port") {
                guard let parsed = Int(p), (1...65535).contains(parsed) else {
                    throw MMPError(.invalidConfig, "\(name).port: expected a port number (1-65535), found '\(p)'")
                }
                port = parsed
            }
            self.init(host: text("host") ?? "127.0.0.1", port: port, user: user, database: database, password: nil, origin: origin)
        }
        // A password given separately completes a URI that has none.
        if password == nil, let value = section["password"], !value.isNull {
            let secret = value.plainText
            if secret.isEmpty {
                let variable: String
                if case .settings(_, _, _, _, let p) = self.origin { variable = p } else { variable = "POSTGRES_PASSWORD" }
                throw MMPError(.invalidConfig, "\(name).password is empty: set \(variable) to the password of PostgreSQL user '\(user)'")
            }
            password = secret
        }
        if let t = try seconds("connect_timeout") { connectTimeout = max(2, Int(t.rounded(.up))) }
        if let t = try seconds("statement_timeout") { statementTimeout = t }
        if let mode = text("sslmode") { sslMode = try PostgresConnectionOptions.validSSLMode(mode, field: "\(name).sslmode") }
        if let file = text("sslrootcert") { sslRootCert = file }
        if let file = text("sslcert") { sslCert = file }
        if let file = text("sslkey") { sslKey = file }
        if let app = text("application_name") { applicationName = app }
    }

    /// From `postgresql://[user[:password]@]host[:port][/database][?sslmode=...&connect_timeout=...]`.
    public init(uri: String, origin: Origin) throws {
        let shown = SecretScrubber.redactURLPasswords(in: uri)
        var rest = Substring(uri)
        if rest.hasPrefix("postgresql://") { rest = rest.dropFirst(13) } else if rest.hasPrefix("postgres://") { rest = rest.dropFirst(11) } else {
            throw MMPError(.invalidConfig, "'\(shown)' is not a PostgreSQL URI; expected postgresql://user@host:port/database")
        }
        var query = Substring("")
        if let q = rest.firstIndex(of: "?") { query = rest[rest.index(after: q)...]; rest = rest[..<q] }
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") { path = rest[rest.index(after: slash)...]; rest = rest[..<slash] }
        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = PostgresConnectionOptions.percentDecoded(userInfo[..<colon])
                password = PostgresConnectionOptions.percentDecoded(userInfo[userInfo.index(after: colon)...])
            } else {
                user = PostgresConnectionOptions.percentDecoded(userInfo)
            }
        }
        var host = rest.isEmpty ? "127.0.0.1" : String(rest)
        var port = 5432
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            host = String(rest[..<colon])
            let p = rest[rest.index(after: colon)...]
            guard let parsed = Int(p), (1...65535).contains(parsed) else {
                throw MMPError(.invalidConfig, "'\(shown)': '\(p)' is not a port number")
            }
            port = parsed
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let user, !user.isEmpty else {
            throw MMPError(.invalidConfig, "'\(shown)' names no user; expected postgresql://user@host:port/database")
        }
        let database = path.isEmpty ? user : PostgresConnectionOptions.percentDecoded(path)
        self.init(host: host, port: port, user: user, database: database, password: password?.isEmpty == true ? nil : password, origin: origin)
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let value = PostgresConnectionOptions.percentDecoded(parts[1])
            switch parts[0] {
            case "sslmode": sslMode = try PostgresConnectionOptions.validSSLMode(value, field: "'\(shown)' sslmode")
            case "sslrootcert": sslRootCert = value
            case "sslcert": sslCert = value
            case "sslkey": sslKey = value
            case "connect_timeout": if let t = Int(value) { connectTimeout = max(2, t) }
            case "application_name": applicationName = value
            case "statement_timeout": statementTimeout = try? DurationParser.seconds(value)
            default:
                throw MMPError(.invalidConfig, "'\(shown)': unsupported URI parameter '\(parts[0])' (known: sslmode, sslrootcert, sslcert, sslkey, connect_timeout, application_name, statement_timeout)")
            }
        }
    }

    /// libpq's sslmode values, weakest first.
    public static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    static func validSSLMode(_ mode: String, field: String) throws -> String {
        guard sslModes.contains(mode) else {
            throw MMPError(.invalidConfig, "\(field): '\(mode)' is not an sslmode; use one of \(sslModes.joined(separator: ", ")) (verify-full checks the server's certificate and host name)")
        }
        return mode
    }

    static func percentDecoded(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
