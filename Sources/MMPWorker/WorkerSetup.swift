#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPQueue
import MMPRedis

/// Resolves a worker's options from its flags, the environment and the config.
///
/// The worker cannot read YAML (that needs Yams and with it Foundation, which would triple its
/// memory), so it asks `mmp` once at start: `mmp queues settings` prints the resolved `queue:`
/// section of the config of APP_ENV as JSON on a pipe. When that fails (no `mmp`, no config), the
/// worker says so and uses the defaults with the environment's Redis variables.
public enum WorkerSetup {
    public struct Flags: Sendable {
        public var queues: [String]?
        public var concurrency = 1
        public var grace = 25.0
        public var redisURL: String?
        public var useConfig = true
        public var mmpPath: String?
        public var workerID: String?
        public var healthFile: String?
        public init() {}
    }

    public static func resolve(_ flags: Flags, environment: [String: String]) throws -> WorkerOptions {
        let mmp = flags.mmpPath ?? environment["MMP_BIN"] ?? siblingExecutable("mmp")
        var settings = QueueSettings()
        var redis = try RedisSettings.fromEnvironment(environment)
        var source = "defaults and environment"
        if flags.useConfig {
            switch fetchConfig(mmp: mmp) {
            case .success(let json):
                settings = try QueueSettings(section: json["queue"] ?? [:])
                if let section = json["queue"]?["redis"], section.objectValue != nil { redis = try RedisSettings.fromSection(section) }
                source = "config (APP_ENV=\(json["env"]?.stringValue ?? "?"))"
            case .failure(let reason):
                source = "defaults and environment (\(reason))"
            }
        }
        if let url = flags.redisURL { redis = try RedisSettings(url: url) }
        let queues = try (flags.queues ?? [settings.defaultQueue]).map { try QueueName.validated($0) }
        guard !queues.isEmpty else { throw MMPError.invalidInput("--queues needs at least one queue name") }
        guard flags.concurrency >= 1 else { throw MMPError.invalidInput("--concurrency must be at least 1") }
        guard flags.grace >= 0 else { throw MMPError.invalidInput("--grace must not be negative") }
        let host = hostName()
        let id = flags.workerID ?? "\(host)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        var options = WorkerOptions(queues: queues, concurrency: flags.concurrency, grace: flags.grace, redis: redis, queue: settings,
                                    mmpPath: mmp, workerID: id, host: host, settingsSource: source)
        options.healthFile = flags.healthFile
        options.jobThreads = jobThreads(concurrency: flags.concurrency, environment: environment)
        return options
    }

    /// Threads per job process: MMP_THREADS when the worker has it, else the worker's cores
    /// (its affinity capped by its container's CPU quota, cgroup v2 cpu.max) over its slots.
    static func jobThreads(concurrency: Int, environment: [String: String], cores: Int = CPUQuota.threads(
        affinity: CPUQuota.affinityCores(), quota: CPUQuota.current(), override: nil)) -> Int {
        if let set = environment["MMP_THREADS"], let n = Int(set.trimmed()), n > 0 { return n }
        return max(1, cores / max(1, concurrency))
    }

    enum Fetched { case success(JSON), failure(String) }

    /// Runs `mmp queues settings` and reads its JSON.
    static func fetchConfig(mmp: String) -> Fetched {
        guard access(mmp, X_OK) == 0 else { return .failure("no mmp executable at \(mmp)") }
        do {
            let child = try ChildProcess(executable: mmp, arguments: ["queues", "settings"], input: "")
            var text = ""
            while let line = child.readLine() { text += line + "\n" }
            child.waitForExit()
            guard case .code(0) = child.reap() else { return .failure("mmp queues settings failed") }
            return .success(try JSON.parse(text.trimmed()))
        } catch {
            return .failure("mmp queues settings: \(MMPError.wrap(error).message)")
        }
    }

    /// `name` next to the running executable (`/proc/self/exe`).
    public static func siblingExecutable(_ name: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return name }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return name }
        return String(path[...slash]) + name
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
