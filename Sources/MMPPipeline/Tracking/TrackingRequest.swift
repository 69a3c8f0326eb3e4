#if canImport(Glibc)
import Glibc
#endif
import MMPCore

/// What a caller adds for tracking beyond the recipe: where the run came from, and whether to
/// register the model. Filled by `mmp train` and by a worker's `mmp run-job` child.
public struct TrackingRequest: Sendable, Equatable {
    /// The recipe's text as written (uploaded as the `recipe.yaml` artifact).
    public var recipeText: String?
    /// The queue and worker of a fleet job (tags `mmp.queue`, `mmp.worker`).
    public var queue: String?
    public var worker: String?
    /// `--register NAME [--alias ALIAS]`.
    public var registerName: String?
    public var registerAlias: String?
    /// The `mmp` executable to start as the run's guard, which marks the run KILLED (or FAILED)
    /// when this process dies without ending it. Nil: no guard (tests calling the pipeline).
    public var guardExecutable: String?
    /// Where the guard reads the config (the caller's `--env` and `--config-dir`).
    public var appEnv: String?
    public var configDirectory: String?

    public init(recipeText: String? = nil, queue: String? = nil, worker: String? = nil, registerName: String? = nil,
                registerAlias: String? = nil, guardExecutable: String? = nil, appEnv: String? = nil, configDirectory: String? = nil) {
        self.recipeText = recipeText; self.queue = queue; self.worker = worker; self.registerName = registerName
        self.registerAlias = registerAlias; self.guardExecutable = guardExecutable; self.appEnv = appEnv; self.configDirectory = configDirectory
    }

    /// The running executable's path (`/proc/self/exe`), for the run guard.
    public static func currentExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `--register NAME --alias ALIAS` as a job payload carries them (in its options).
    public static func registration(from options: JSONObject) -> (name: String?, alias: String?) {
        (options["register"]?.stringValue, options["register_alias"]?.stringValue)
    }

    /// Checks `--register` and `--alias` before anything runs.
    public static func validateRegistration(name: String?, alias: String?) throws {
        if alias != nil, name == nil { throw MMPError.invalidInput("--alias needs --register NAME (the registered model the alias belongs to)") }
        for (flag, value) in [("--register", name), ("--alias", alias)] {
            guard let value else { continue }
            if value.isEmpty || value.contains("/") || value.contains("@") || value.contains(where: \.isWhitespace) {
                throw MMPError.invalidInput("\(flag) '\(value)' must be a non-empty name without '/', '@' or spaces (it becomes models:/<name>/<version> and models:/<name>@<alias>)")
            }
        }
    }
}
