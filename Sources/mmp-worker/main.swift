import ArgumentParser
import Logging
import MMPCore
import MMPWorker

/// `mmp-worker`: argument parsing and logging setup only; the supervisor lives in MMPWorker.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mmp-worker",
        abstract: "Claim and run queued mmp jobs.",
        discussion: """
        Runs each job in an `mmp run-job` child process with this machine's APP_ENV config. On SIGTERM it stops \
        claiming at once, lets running jobs finish within --grace, then stops them and puts them back to pending \
        without spending an attempt. Redis comes from REDIS_URL (or REDIS_HOST/REDIS_PORT/REDIS_PASSWORD) or the \
        config's queue.redis section; queue settings from the config's queue: section (read through `mmp`).
        """,
        version: MMPVersion.current
    )

    @Option(help: ArgumentHelp("Queues in priority order, comma-separated (default: queue.default_queue).", valueName: "a,b"))
    var queues: String?

    @Option(help: "Jobs run at once (child processes).")
    var concurrency = 1

    @Option(help: ArgumentHelp("Time running jobs get to finish after SIGTERM.", valueName: "duration"))
    var grace = "25s"

    @Option(help: ArgumentHelp("Log format: human or json.", valueName: "format"))
    var logFormat = "human"

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel = "info"

    @Option(help: ArgumentHelp("Redis URL (overrides REDIS_URL and the config).", valueName: "redis://host:port/db"))
    var redisURL: String?

    @Flag(help: "Do not ask mmp for the config's queue section; use defaults and the environment.")
    var noConfig = false

    @Option(help: ArgumentHelp("The mmp executable that runs jobs (default: $MMP_BIN, else next to mmp-worker).", valueName: "path"))
    var mmp: String?

    @Option(help: ArgumentHelp("This worker's id (default: host-pid-random).", valueName: "id"))
    var workerID: String?

    func run() throws {
        guard let format = LineLogHandler.Format(rawValue: logFormat) else {
            throw ValidationError("--log-format must be human or json, not '\(logFormat)'")
        }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level '\(logLevel)' is not a level") }
        let environment = ProcessEnvironment.current()
        LineLogHandler.bootstrap(format: format, level: level, scrubber: SecretScrubber(environment: environment))
        let logger = Logger(label: "mmp-worker")
        var flags = WorkerSetup.Flags()
        flags.queues = queues.map { $0.split(separator: ",").map { String($0).trimmed() }.filter { !$0.isEmpty } }
        flags.concurrency = concurrency
        flags.grace = try DurationParser.seconds(grace)
        flags.redisURL = redisURL
        flags.useConfig = !noConfig
        flags.mmpPath = mmp
        flags.workerID = workerID
        let options: WorkerOptions
        do {
            options = try WorkerSetup.resolve(flags, environment: environment.variables)
        } catch let e as MMPError {
            logger.critical("\(e.message)")
            throw ExitCode(2)
        }
        let code = Supervisor(options: options, logger: logger).run()
        if code != 0 { throw ExitCode(code) }
    }
}

WorkerCommand.main()
