#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPPipeline
import MMPJobViews
import MMPQueue
import MMPRedis

/// What the fleet commands share: the queue of this environment's config.
enum Fleet {
    /// The resolved `queue:` section (settings and Redis) of the config of APP_ENV.
    static func settings(_ global: GlobalOptions) throws -> (QueueSettings, RedisSettings, String) {
        let workspace = try Workspace.current(configDirectory: global.configDirectory)
        let config = try workspace.config(env: global.appEnv)
        let section = try config.section("queue")
        let queue = try QueueSettings(section: section)
        let redis: RedisSettings
        if let r = section["redis"], r.objectValue != nil {
            redis = try RedisSettings.fromSection(r)
        } else {
            redis = try RedisSettings.fromEnvironment(workspace.environment.variables)
        }
        return (queue, redis, config.env)
    }

    static func open(_ global: GlobalOptions) throws -> JobQueue {
        let (settings, redis, _) = try settings(global)
        return JobQueue(redis: try RedisConnection.connect(redis), settings: settings)
    }

    static var stdoutIsTerminal: Bool { isatty(1) == 1 }

    /// Follows one job until it ends, drawing its progress; returns its final record.
    static func follow(_ queue: JobQueue, id: String, quiet: Bool) throws -> JobRecord? {
        guard let qname = JobID.queue(of: id) else { throw MMPError.invalidInput("'\(id)' is not a job id") }
        var watch = JobWatch(only: id)
        var position = [qname: try queue.lastEventID(qname)]
        if let r = try queue.record(id) { watch.adopt(r) }
        let tty = stdoutIsTerminal && !quiet
        var drawn = 0
        var lastLine = ""
        while watch.finalState == nil {
            let (events, next) = try queue.events(after: position, block: 1)
            position = next
            for e in events where watch.apply(e) {
                if !quiet && !tty && e.name != "progress" { StandardStreams.writeError(JobViews.eventLine(e) + "\n") }
            }
            if events.isEmpty, let r = try queue.record(id) { watch.adopt(r) }
            if tty {
                let line = watch.bars.first ?? ""
                if line != lastLine {
                    if drawn > 0 { StandardStreams.writeError("\u{1B}[1A\u{1B}[2K") }
                    StandardStreams.writeError(line + "\n")
                    drawn = 1
                    lastLine = line
                }
            }
        }
        return try queue.record(id)
    }
}
