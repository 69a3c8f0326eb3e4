#if canImport(Glibc)
import Glibc
#endif
import Logging
import MMPCore
import MMPWorker

// mmp-worker: arguments, logging setup and exit codes only; the supervisor lives in MMPWorker.
// Exit codes: 0 stopped cleanly, 1 Redis refused (e.g. older than 7.0) or `health` found the worker
// unhealthy, 2 usage or config error.
let arguments: WorkerArguments
do {
    arguments = try WorkerArguments.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    StandardStreams.writeError("error: \(MMPError.wrap(error).message)\n")
    exit(2)
}
switch arguments.action {
case .help:
    StandardStreams.writeOut(WorkerArguments.usage)
    exit(0)
case .version:
    StandardStreams.writeOut(MMPVersion.current + "\n")
    exit(0)
case .health:
    if let problem = HealthFile.check(arguments.healthFile ?? "", maxAge: arguments.maxAge, maxRedisAge: arguments.maxRedisAge) {
        StandardStreams.writeError("unhealthy: \(problem)\n")
        exit(1)
    }
    exit(0)
case .run:
    break
}
let environment = ProcessEnvironment.current()
LineLogHandler.bootstrap(format: arguments.logFormat, level: Logger.Level(rawValue: arguments.logLevel) ?? .info,
                         scrubber: SecretScrubber(environment: environment))
let logger = Logger(label: "mmp-worker")
let options: WorkerOptions
do {
    options = try WorkerSetup.resolve(arguments.flags, environment: environment.variables)
} catch {
    logger.critical("\(MMPError.wrap(error).message)")
    exit(2)
}
exit(Supervisor(options: options, logger: logger).run())
