import ArgumentParser
import MMPCore
import MMPJobViews
import MMPQueue

struct QueuesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queues",
        abstract: "Depth of each queue: pending, scheduled, active, dead, oldest pending age.",
        subcommands: [QueueDepths.self, QueueSettingsCommand.self],
        defaultSubcommand: QueueDepths.self
    )
}

struct QueueDepths: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Depth of each queue.")

    @Flag(help: "Print a JSON array.") var json = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let q = try Fleet.open(global)
        let counts = try q.counts()
        if json {
            StandardStreams.writeOut(JSON.array(counts.map(\.json)).serialized() + "\n")
        } else if counts.isEmpty {
            StandardStreams.writeOut("no queues yet (nothing was ever submitted)\n")
        } else {
            StandardStreams.writeOut(JobViews.queuesTable(counts))
        }
    }
}

/// For `mmp-worker`, which cannot read YAML: the resolved `queue:` section as one JSON line on
/// stdout. It may hold the Redis password (from the environment); it goes only to the pipe of
/// the worker that asked.
struct QueueSettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "settings", abstract: "The resolved queue settings (for mmp-worker).",
                                                    shouldDisplay: false)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (settings, redis, env) = try Fleet.settings(global)
        var section = settings.json
        var r = JSONObject()
        r["host"] = .string(redis.host)
        r["port"] = .int(redis.port)
        r["password"] = redis.password.map(JSON.string) ?? .null
        r["database"] = .int(redis.database)
        r["connect_timeout"] = .double(redis.connectTimeout)
        r["command_timeout"] = .double(redis.commandTimeout)
        section["redis"] = .object(r)
        StandardStreams.writeOut(JSON.object(JSONObject([("env", .string(env)), ("queue", section)])).serialized() + "\n")
    }
}
