import MMPCore

/// `mmp-worker`'s command line, parsed by hand: swift-argument-parser links FoundationEssentials,
/// which alone adds about 2.5 MB to an idle worker's memory (docs/performance.md).
public struct WorkerArguments: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case run
        case help
        case version
        /// `mmp-worker health`: judge the health file (a container's liveness probe).
        case health
    }

    public var action = Action.run
    public var queues: [String]?
    public var concurrency = 1
    public var grace = 25.0
    public var logFormat = LineLogHandler.Format.human
    public var logLevel = "info"
    public var redisURL: String?
    public var useConfig = true
    public var mmpPath: String?
    public var workerID: String?
    /// Where the worker writes its health file (`--health-file`), or where `health` reads it.
    public var healthFile: String?
    /// `health`: the loop's largest age, and (optional) Redis's.
    public var maxAge = 30.0
    public var maxRedisAge: Double?

    public init() {}

    public static let usage = """
    USAGE: mmp-worker [--queues a,b] [--concurrency N] [--grace 25s] [--log-format human|json]
                      [--log-level info] [--redis-url URL] [--no-config] [--mmp PATH] [--worker-id ID]
                      [--health-file PATH]
           mmp-worker health --health-file PATH [--max-age 30s] [--max-redis-age DURATION]

    Claims and runs queued mmp jobs, each in an `mmp run-job` child process with this machine's
    APP_ENV config. On SIGTERM it stops claiming at once, lets running jobs finish within --grace,
    then stops them and puts them back to pending without spending an attempt.

    OPTIONS:
      --queues a,b         Queues in priority order (default: queue.default_queue).
      --concurrency N      Jobs run at once, each in its own child process (default: 1).
      --grace DURATION     Time running jobs get after SIGTERM (default: 25s).
      --log-format FORMAT  human or json, one line per event on stderr (default: human).
      --log-level LEVEL    trace, debug, info, notice, warning, error, critical (default: info).
      --redis-url URL      Redis URL (overrides REDIS_URL and the config).
      --no-config          Do not ask mmp for the config's queue: section; use defaults and the
                           environment (REDIS_URL or REDIS_HOST/REDIS_PORT/REDIS_PASSWORD).
      --mmp PATH           The mmp executable that runs jobs (default: $MMP_BIN, else next to
                           mmp-worker).
      --worker-id ID       This worker's id (default: host-pid-random).
      --health-file PATH   Write the worker's health there once a second (for a liveness probe).
      --version            Print the version.
      -h, --help           Print this help.

    HEALTH (a container's exec liveness probe; exit 0 healthy, 1 not):
      --health-file PATH   The file the worker writes (required).
      --max-age DURATION   Fail when the worker's maintenance loop last ran longer ago (default: 30s).
      --max-redis-age D    Also fail when Redis last answered the worker longer ago (default: never;
                           restarting workers does not bring Redis back).

    """

    /// Parses the arguments after the program name. Errors say which flag and what was expected.
    public static func parse(_ arguments: [String]) throws -> WorkerArguments {
        var a = WorkerArguments()
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let v = rest.popFirst(), !v.hasPrefix("--") else { throw MMPError.invalidInput("\(flag) needs a value") }
            return v
        }
        if rest.first == "health" {
            a.action = .health
            rest = rest.dropFirst()
        }
        while let raw = rest.popFirst() {
            // --flag=value is the same as --flag value.
            var flag = raw
            if raw.hasPrefix("--"), let eq = raw.firstIndex(of: "=") {
                flag = String(raw[..<eq])
                rest.insert(String(raw[raw.index(after: eq)...]), at: rest.startIndex)
            }
            switch flag {
            case "-h", "--help": a.action = .help
            case "--version": a.action = .version
            case "--queues":
                let list = try value(flag).split(separator: ",").map { String($0).trimmed() }.filter { !$0.isEmpty }
                guard !list.isEmpty else { throw MMPError.invalidInput("--queues needs at least one queue name") }
                a.queues = list
            case "--concurrency":
                let text = try value(flag)
                guard let n = Int(text), n >= 1 else { throw MMPError.invalidInput("--concurrency must be a whole number of at least 1, not '\(text)'") }
                a.concurrency = n
            case "--grace":
                a.grace = try DurationParser.seconds(try value(flag))
                guard a.grace >= 0 else { throw MMPError.invalidInput("--grace must not be negative") }
            case "--log-format":
                let text = try value(flag)
                guard let f = LineLogHandler.Format(rawValue: text) else { throw MMPError.invalidInput("--log-format must be human or json, not '\(text)'") }
                a.logFormat = f
            case "--log-level":
                let text = try value(flag)
                guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(text) else {
                    throw MMPError.invalidInput("--log-level '\(text)' is not a level (trace, debug, info, notice, warning, error, critical)")
                }
                a.logLevel = text
            case "--redis-url": a.redisURL = try value(flag)
            case "--no-config": a.useConfig = false
            case "--mmp": a.mmpPath = try value(flag)
            case "--worker-id": a.workerID = try value(flag)
            case "--health-file": a.healthFile = try value(flag)
            case "--max-age": a.maxAge = try DurationParser.seconds(try value(flag))
            case "--max-redis-age": a.maxRedisAge = try DurationParser.seconds(try value(flag))
            default:
                throw MMPError.invalidInput("unknown option '\(raw)'\(Suggestion.hint(for: flag, in: WorkerArguments.flags)); see mmp-worker --help")
            }
        }
        if a.action == .health, a.healthFile == nil { throw MMPError.invalidInput("mmp-worker health needs --health-file PATH") }
        return a
    }

    static let flags = ["--queues", "--concurrency", "--grace", "--log-format", "--log-level", "--redis-url", "--no-config", "--mmp",
                        "--worker-id", "--health-file", "--max-age", "--max-redis-age", "--version", "--help"]

    /// The supervisor's flags.
    public var flags: WorkerSetup.Flags {
        var f = WorkerSetup.Flags()
        f.queues = queues
        f.concurrency = concurrency
        f.grace = grace
        f.redisURL = redisURL
        f.useConfig = useConfig
        f.mmpPath = mmpPath
        f.workerID = workerID
        f.healthFile = healthFile
        return f
    }
}
