import ArgumentParser
import MMPAdapters
import MMPConfig
import MMPCore
import MMPPipeline
import MMPQueue

/// `mmp schedule`: cron schedules kept in Redis and fired by the workers (docs/schedules.md).
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Run a recipe or a batch scoring job on a cron schedule (fired by the workers).",
        subcommands: [AddSchedule.self, ListSchedules.self, ShowSchedule.self, RemoveSchedule.self, PauseSchedule.self,
                      ResumeSchedule.self, RunScheduleNow.self]
    )
}

/// Where a named schedule is: --queue, or the one queue that has it.
struct ScheduleLocation: ParsableArguments {
    @Argument(help: "Schedule name.") var name: String
    @Option(help: "The schedule's queue (needed only when two queues have a schedule of this name).") var queue: String?

    func find(_ q: JobQueue) throws -> JobQueue.ScheduleState {
        if let queue {
            guard let s = try q.schedule(name, queue: try QueueName.validated(queue)) else {
                throw MMPError.notFound("no schedule named '\(name)' on queue \(queue)")
            }
            return s
        }
        return try q.findSchedule(name)
    }
}

struct AddSchedule: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add (or replace) a schedule.",
        discussion: """
        mmp schedule add nightly --cron "0 3 * * *" --timezone Europe/Seoul recipes/churn_logistic.yaml
        mmp schedule add rescore --cron "30 4 * * 1-5" --predict --model models:/churn@champion --data /shared/c.csv --out /shared/scored --shards 8
        """)

    @Argument(help: "Schedule name (letters, digits, - _ .).") var name: String
    @Argument(help: "Recipe to train at each fire time (not with --predict).") var recipe: String?
    @Option(help: "Five-field cron expression: minute hour day-of-month month day-of-week (ranges, lists, steps, names).") var cron: String
    @Option(help: "Zone of the cron fields (default UTC).") var timezone: String = "UTC"
    @Option(help: "Queue of the jobs (default: queue.default_queue).") var queue: String?
    @Option(name: .customLong("param"), help: ArgumentHelp("Recipe override key=value (repeatable).", valueName: "key=value")) var params: [String] = []
    @Flag(help: "Batch scoring at each fire time (as mmp submit --predict).") var predict = false
    @Option(help: "With --predict: model URI.") var model: String?
    @Option(help: "With --predict: CSV file.") var data: String?
    @Option(help: "With --predict: folder or postgresql:TABLE.") var out: String?
    @Option(help: "With --predict: number of shards.") var shards: Int?
    @Option(help: "With --predict: rows per shard.") var shardRows: Int?
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if predict {
            guard recipe == nil else { throw ValidationError("give a RECIPE or --predict, not both") }
            guard model != nil, data != nil, out != nil else { throw ValidationError("--predict needs --model, --data and --out") }
        } else if recipe == nil {
            throw ValidationError("give a RECIPE to train, or --predict --model URI --data FILE --out SINK")
        }
    }

    func run() throws {
        let workspace = try Workspace.current(configDirectory: global.configDirectory)
        let expression = try CronExpression(cron)
        let zone = try TimeZoneOffsets(identifier: timezone)
        let now = Int64(Clock.nowMillis() / 1000)
        // Workers link no zone data: the schedule carries its zone's clock changes for ten years.
        let offsets = OffsetTable(zone: zone, from: now - 86_400, until: now + 10 * 366 * 86_400)
        let payload: JobPayload
        let label: String
        if predict {
            payload = try BatchScoringRequest(model: model ?? "", data: data ?? "", out: try ScoringSink(out ?? ""), shards: shards,
                                              shardRows: shardRows).payload
            label = "predict"
        } else {
            let parsed = try RecipeLoader.parseParams(params)
            let (r, document) = try workspace.recipe(recipe ?? "", params: params)
            try RecipeValidator.validate(r, document: document)
            payload = JobPayload(kind: .train, recipeName: r.name, recipeFile: r.file, recipeYAML: document.text,
                                 sqlText: try workspace.sqlText(for: r), params: parsed)
            label = r.name
        }
        let q = try Fleet.open(global)
        let definition = try ScheduleDefinition(name: name, cron: expression, timezone: zone.identifier, offsets: offsets,
                                                queue: try QueueName.validated(queue ?? q.settings.defaultQueue), payload: payload, label: label)
        let next = try q.addSchedule(definition)
        StandardStreams.writeOut("schedule \(name) on queue \(definition.queue): next fire \(next.map { Timestamp.iso8601(Double($0) / 1000) } ?? "never")\n")
    }
}

struct ListSchedules: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every schedule, with its next and last fire.")
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let all = try Fleet.open(global).schedules()
        if json { StandardStreams.writeOut(JSON.array(all.map(\.json)).serialized() + "\n"); return }
        var lines = ["name                 queue        cron              timezone          job              next fire             last fire"]
        for s in all {
            let j = s.json
            func pad(_ t: String, _ n: Int) -> String { t.count >= n ? t + " " : t + String(repeating: " ", count: n - t.count) }
            lines.append(pad(s.definition.name, 21) + pad(s.definition.queue, 13) + pad(s.definition.cron.text, 18) + pad(s.definition.timezone, 18)
                         + pad(s.definition.label, 17) + pad(s.paused ? "paused" : j["next_fire"]?.stringValue ?? "never", 22)
                         + (j["last_fire"]?.stringValue ?? "-") + (s.lastLate ? " (late)" : ""))
        }
        StandardStreams.writeOut(lines.joined(separator: "\n") + "\n")
    }
}

struct ShowSchedule: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One schedule (JSON).")
    @OptionGroup var location: ScheduleLocation
    @OptionGroup var global: GlobalOptions
    func run() throws {
        StandardStreams.writeOut(try location.find(try Fleet.open(global)).json.prettySerialized() + "\n")
    }
}

struct RemoveSchedule: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a schedule (its jobs stay).")
    @OptionGroup var location: ScheduleLocation
    @OptionGroup var global: GlobalOptions
    func run() throws {
        let q = try Fleet.open(global)
        let s = try location.find(q)
        try q.removeSchedule(s.definition.name, queue: s.definition.queue)
        StandardStreams.writeOut("removed schedule \(s.definition.name)\n")
    }
}

struct PauseSchedule: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Stop firing until resumed.")
    @OptionGroup var location: ScheduleLocation
    @OptionGroup var global: GlobalOptions
    func run() throws {
        let q = try Fleet.open(global)
        let s = try location.find(q)
        _ = try q.setSchedulePaused(s.definition.name, queue: s.definition.queue, paused: true)
        StandardStreams.writeOut("paused schedule \(s.definition.name)\n")
    }
}

struct ResumeSchedule: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Fire again from the next fire time after now.")
    @OptionGroup var location: ScheduleLocation
    @OptionGroup var global: GlobalOptions
    func run() throws {
        let q = try Fleet.open(global)
        let s = try location.find(q)
        // The zone's clock changes, refreshed from now.
        var d = s.definition
        let now = Int64(Clock.nowMillis() / 1000)
        d.offsets = OffsetTable(zone: try TimeZoneOffsets(identifier: d.timezone), from: now - 86_400, until: now + 10 * 366 * 86_400)
        let next = try q.setSchedulePaused(d.name, queue: d.queue, paused: false, definition: d)
        StandardStreams.writeOut("resumed schedule \(d.name): next fire \(next.map { Timestamp.iso8601(Double($0) / 1000) } ?? "never")\n")
    }
}

struct RunScheduleNow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run-now", abstract: "Submit the schedule's job now (its fire times stay).")
    @OptionGroup var location: ScheduleLocation
    @OptionGroup var global: GlobalOptions
    func run() throws {
        let q = try Fleet.open(global)
        let s = try location.find(q)
        StandardStreams.writeOut(try q.runScheduleNow(s.definition.name, queue: s.definition.queue).id + "\n")
    }
}
