import MMPCore

/// Where settings come from: the contract's environment variables and a config's `queue.redis`
/// section, and back to such a section for `mmp-worker` (which cannot read YAML).
extension RedisSettings {
    /// From the contract's environment variables: `REDIS_URL` wins; else `REDIS_HOST`,
    /// `REDIS_PORT`, `REDIS_USERNAME`, `REDIS_PASSWORD`, `REDIS_DB`. Missing ones keep the defaults
    /// (127.0.0.1:6379). `REDIS_SENTINELS` with `REDIS_SENTINEL_MASTER` (and
    /// `REDIS_SENTINEL_PASSWORD`) make the sentinels name the master; credentials and database
    /// still come from the variables above.
    public static func fromEnvironment(_ variables: [String: String]) throws -> RedisSettings {
        func value(_ name: String) -> String? {
            guard let v = variables[name]?.trimmed(), !v.isEmpty else { return nil }
            return v
        }
        var settings = RedisSettings()
        if let url = value("REDIS_URL") {
            settings = try RedisSettings(url: url)
        } else {
            if let host = value("REDIS_HOST") { settings.host = host }
            if let portText = value("REDIS_PORT") {
                guard let port = Int(portText), (1...65535).contains(port) else {
                    throw MMPError(.invalidConfig, "REDIS_PORT '\(portText)' is not a port number (1-65535)")
                }
                settings.port = port
            }
            if let user = value("REDIS_USERNAME") { settings.username = user }
            if let password = variables["REDIS_PASSWORD"], !password.isEmpty { settings.password = password }
            if let dbText = value("REDIS_DB") {
                guard let db = Int(dbText), db >= 0 else { throw MMPError(.invalidConfig, "REDIS_DB '\(dbText)' is not a database number") }
                settings.database = db
            }
        }
        try settings.setSentinels(value("REDIS_SENTINELS"), master: value("REDIS_SENTINEL_MASTER"),
                                  password: variables["REDIS_SENTINEL_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 },
                                  fields: ("REDIS_SENTINELS", "REDIS_SENTINEL_MASTER"))
        return settings
    }

    /// From a resolved `queue.redis` config section (`url`, `host`, `port`, `username`, `password`,
    /// `database`, `sentinels`, `sentinel_master`, `sentinel_password`, `connect_timeout`,
    /// `command_timeout`). A non-empty `url` wins over host, port and credentials.
    public static func fromSection(_ section: JSON) throws -> RedisSettings {
        func text(_ key: String) -> String? {
            guard let v = section[key], !v.isNull else { return nil }
            let s = v.plainText.trimmed()
            return s.isEmpty ? nil : s
        }
        var sentinelText: String?
        if let list = section["sentinels"]?.arrayValue {
            sentinelText = list.map { $0.plainText }.joined(separator: ",")
        } else {
            sentinelText = text("sentinels")
        }
        let hasSentinels = sentinelText.map { !$0.trimmed().isEmpty } ?? false
        var settings = RedisSettings()
        if let url = text("url") {
            settings = try RedisSettings(url: url)
        } else {
            if let host = section["host"], !host.isNull {
                // A config that names the field but leaves it empty (prod: `${REDIS_HOST:-}`)
                // wants it from the environment: no silent fallback to localhost (unless the
                // sentinels name the master).
                if host.plainText.trimmed().isEmpty {
                    guard hasSentinels else {
                        throw MMPError(.invalidConfig, "queue.redis: neither url nor host is set; set REDIS_URL, or REDIS_HOST and REDIS_PORT (or REDIS_SENTINELS and REDIS_SENTINEL_MASTER)")
                    }
                } else {
                    settings.host = host.plainText.trimmed()
                }
            }
            if let port = section["port"], !port.isNull, port.plainText != "" {
                guard let p = port.intValue ?? Int(port.plainText), (1...65535).contains(p) else {
                    throw MMPError(.invalidConfig, "queue.redis.port: expected a port number, found \(port.typeDescription)")
                }
                settings.port = p
            }
            if let user = text("username") { settings.username = user }
            if let password = section["password"]?.stringValue, !password.isEmpty { settings.password = password }
            if let db = section["database"]?.intValue { settings.database = db }
        }
        try settings.setSentinels(sentinelText, master: text("sentinel_master"),
                                  password: section["sentinel_password"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                                  fields: ("queue.redis.sentinels (REDIS_SENTINELS)", "queue.redis.sentinel_master (REDIS_SENTINEL_MASTER)"))
        if let t = section["connect_timeout"], !t.isNull { settings.connectTimeout = try seconds(t, "queue.redis.connect_timeout") }
        if let t = section["command_timeout"], !t.isNull { settings.commandTimeout = try seconds(t, "queue.redis.command_timeout") }
        return settings
    }

    /// The settings as a `queue.redis` section that `fromSection` reads back to the same value:
    /// what `mmp queues settings` hands `mmp-worker`. It holds the passwords: it goes only to
    /// the pipe of the worker that asked.
    public var sectionJSON: JSON {
        var r = JSONObject()
        r["host"] = .string(host)
        r["port"] = .int(port)
        r["username"] = username.map(JSON.string) ?? .null
        r["password"] = password.map(JSON.string) ?? .null
        r["database"] = .int(database)
        r["connect_timeout"] = .double(connectTimeout)
        r["command_timeout"] = .double(commandTimeout)
        r["sentinels"] = .array(sentinels.map { .string($0.description) })
        r["sentinel_master"] = sentinelMaster.map(JSON.string) ?? .null
        r["sentinel_password"] = sentinelPassword.map(JSON.string) ?? .null
        return .object(r)
    }

    /// Sentinels and the master's name come together: one without the other is a mistake.
    mutating func setSentinels(_ list: String?, master: String?, password: String?, fields: (list: String, master: String)) throws {
        let endpoints = try list.map { try RedisEndpoint.list($0, field: fields.list) } ?? []
        switch (endpoints.isEmpty, master) {
        case (true, nil):
            return
        case (false, nil):
            throw MMPError(.invalidConfig, "\(fields.list) is set but \(fields.master) is not: set it to the name the sentinels monitor the master under (`sentinel monitor <name> ...` in sentinel.conf)")
        case (true, let name?):
            throw MMPError(.invalidConfig, "\(fields.master) is '\(name)' but \(fields.list) is empty: list the sentinels as host:port,host:port")
        case (false, let name?):
            sentinels = endpoints
            sentinelMaster = name
            sentinelPassword = password
        }
    }
}
