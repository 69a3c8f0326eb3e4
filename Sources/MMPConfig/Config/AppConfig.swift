import MMPCore

/// The resolved configuration of one environment: `config/base.yaml` with `config/<APP_ENV>.yaml`
/// deep-merged over it.
///
/// Variables are filled when a section is read, not when the files are loaded: a `dev` worker
/// that never touches PostgreSQL does not need `POSTGRES_PASSWORD`, and one that does gets an
/// error naming the variable and the file that asked for it.
public struct AppConfig: Sendable {
    public let env: String
    public let directory: String
    public let files: [String]
    public let environment: ProcessEnvironment
    /// Merged and not yet interpolated.
    public let raw: JSON
    /// For each field path holding a `${...}`, the file that set it last.
    let origins: [String: String]

    init(env: String, directory: String, files: [String], environment: ProcessEnvironment, raw: JSON, origins: [String: String]) {
        self.env = env
        self.directory = directory
        self.files = files
        self.environment = environment
        self.raw = raw
        self.origins = origins
    }

    /// A config built in code (tests): no files, variables resolved against `environment`.
    public init(json: JSON, env: String = "test", environment: ProcessEnvironment = ProcessEnvironment([:])) {
        self.init(env: env, directory: "", files: [], environment: environment, raw: json, origins: [:])
    }

    /// The interpolated value at a dotted path, or nil when absent.
    public func value(at path: String) throws -> JSON? {
        guard let node = raw.value(atPath: path) else { return nil }
        return try interpolate(node, path: path)
    }

    /// The interpolated section at a dotted path; an empty object when absent.
    public func section(_ path: String) throws -> JSON {
        try value(at: path) ?? .object(JSONObject())
    }

    public func string(at path: String) throws -> String? {
        guard let v = try value(at: path), !v.isNull else { return nil }
        if case .string(let s) = v { return s }
        return v.plainText
    }

    /// The adapter named for a role in `data_adapters` (`loader`, `storage`, `feature_store`).
    public func adapterName(for role: String) throws -> String? {
        guard let name = try string(at: "data_adapters.\(role)")?.trimmed(), !name.isEmpty, name != "none" else { return nil }
        return name
    }

    /// The whole config interpolated; throws on the first missing variable.
    public func resolved() throws -> JSON { try interpolate(raw, path: "") }

    private func interpolate(_ node: JSON, path: String) throws -> JSON {
        switch node {
        case .string(let text) where Interpolation.containsVariables(text):
            switch Interpolation.resolve(try Interpolation.parse(text), in: environment, maskSecrets: false) {
            case .value(let v, _): return AppConfig.typed(v)
            case .missing(let variable):
                let file = origins[path] ?? files.last ?? "the config"
                throw MMPError(.invalidConfig,
                               "environment variable \(variable) is required by \(file) (field '\(path)') but is not set; set it in the environment or in .env")
            }
        case .object(let object):
            var out = JSONObject()
            for (key, value) in object { out[key] = try interpolate(value, path: path.isEmpty ? key : "\(path).\(key)") }
            return .object(out)
        case .array(let items):
            return .array(try items.enumerated().map { try interpolate($1, path: "\(path)[\($0)]") })
        default:
            return node
        }
    }

    /// A substituted string reads as a number or boolean when it is one, so `${REDIS_PORT:-6379}`
    /// is the integer 6379.
    static func typed(_ text: String) -> JSON {
        if let i = Int(text) { return .int(i) }
        if let d = Double(text), text.contains(".") { return .double(d) }
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        return .string(text)
    }

    /// The config for display: every secret replaced with `***`, missing variables shown as
    /// `<unset: NAME>`. Never throws, so `mmp config show` works on a half-configured machine.
    public func redacted() -> JSON { redact(raw, key: "") }

    private func redact(_ node: JSON, key: String) -> JSON {
        switch node {
        case .string(let text):
            var shown = text
            var secret = AppConfig.isSecretKey(key)
            if Interpolation.containsVariables(text), let pieces = try? Interpolation.parse(text) {
                switch Interpolation.resolve(pieces, in: environment, maskSecrets: true) {
                case .value(let v, let usedSecret): shown = v; secret = secret || usedSecret && v == "***"
                case .missing(let variable): return .string("<unset: \(variable)>")
                }
            }
            if secret, !shown.isEmpty { return .string("***") }
            return AppConfig.typed(SecretScrubber.redactURLPasswords(in: SecretScrubber(environment: environment).scrub(shown)))
        case .object(let object):
            var out = JSONObject()
            for (k, v) in object { out[k] = redact(v, key: k) }
            return .object(out)
        case .array(let items):
            return .array(items.map { redact($0, key: key) })
        default:
            if AppConfig.isSecretKey(key), !node.isNull { return .string("***") }
            return node
        }
    }

    /// Field names whose values are secrets wherever they appear.
    public static func isSecretKey(_ key: String) -> Bool {
        let lower = key.lowercased()
        return ["password", "secret", "token", "api_key", "apikey", "credential", "private_key", "access_key"].contains {
            lower.contains($0)
        }
    }
}
