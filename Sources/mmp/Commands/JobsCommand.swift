import ArgumentParser
import MMPCore
import MMPJobViews
import MMPQueue

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List, show, follow, cancel and retry jobs.",
        subcommands: [ListJobs.self, ShowJob.self, WatchJobs.self, CancelJob.self, RetryJob.self],
        defaultSubcommand: ListJobs.self
    )
}

struct ListJobs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Jobs, newest first.")

    @Option(help: "Only jobs in this state: queued, scheduled, active, succeeded, failed, dead, cancelled.")
    var state: String?

    @Option(help: "Only this queue (default: every queue).")
    var queue: String?

    @Option(help: "At most this many.")
    var limit = 50

    @Flag(help: "Print a JSON array of jobs.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let state = try self.state.map { s in
            guard let st = JobState(rawValue: s) else {
                throw MMPError.invalidInput("--state '\(s)' is not a state (\(JobState.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return st
        }
        guard limit > 0 else { throw MMPError.invalidInput("--limit must be positive") }
        let q = try Fleet.open(global)
        let records = try q.list(state: state, queues: try queue.map { [try QueueName.validated($0)] }, limit: limit)
        let now = Clock.nowMillis()
        if json {
            StandardStreams.writeOut(JSON.array(records.map { $0.json(nowMillis: now) }).serialized() + "\n")
        } else {
            StandardStreams.writeOut(JobViews.table(records, nowMillis: now))
        }
    }
}

struct ShowJob: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Every field of one job (one round trip).")

    @Argument(help: "Job id.") var id: String
    @Flag(help: "Print the job as JSON.") var json = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let q = try Fleet.open(global)
        guard let record = try q.record(id) else { throw MMPError.notFound("job \(id) not found (it never existed, or its record expired)") }
        let now = Clock.nowMillis()
        StandardStreams.writeOut(json ? record.json(nowMillis: now).prettySerialized() + "\n" : JobViews.detail(record, nowMillis: now))
    }
}

struct WatchJobs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow job events live, with a progress bar per running job.",
        discussion: "With an id, follows that job and ends when it ends (exit 0 only if it succeeded)."
    )

    @Argument(help: "Job id (default: every job of every queue).") var id: String?
    @Option(help: "Only this queue.") var queue: String?
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let q = try Fleet.open(global)
        if let id {
            let record = try Fleet.follow(q, id: id, quiet: false)
            if let record { StandardStreams.writeOut(JobViews.detail(record, nowMillis: Clock.nowMillis())) }
            if record?.state != .succeeded { throw ExitCode(1) }
            return
        }
        var names = try queue.map { [try QueueName.validated($0)] } ?? q.queueNames()
        if names.isEmpty { names = [q.settings.defaultQueue] }
        var position: [String: String] = [:]
        for n in names { position[n] = try q.lastEventID(n) }
        var watch = JobWatch(only: nil)
        for r in try q.list(state: .active, queues: names, limit: 100) { watch.adopt(r) }
        let tty = Fleet.stdoutIsTerminal
        var drawn = 0
        while true {
            let (events, next) = try q.events(after: position, block: 1)
            position = next
            var lines: [String] = []
            for e in events where watch.apply(e) {
                if e.name != "progress" || !tty { lines.append(JobViews.eventLine(e)) }
            }
            if tty {
                if lines.isEmpty && events.isEmpty { continue }
                var out = drawn > 0 ? "\u{1B}[\(drawn)A\u{1B}[J" : ""
                for l in lines { out += l + "\n" }
                let bars = watch.bars
                for b in bars { out += b + "\n" }
                drawn = bars.count
                StandardStreams.writeOut(out)
            } else {
                for l in lines { StandardStreams.writeOut(l + "\n") }
            }
        }
    }
}

struct CancelJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a job: a queued one at once, a running one within one heartbeat.")

    @Argument(help: "Job id.") var id: String
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let q = try Fleet.open(global)
        switch try q.cancel(id) {
        case .cancelled: StandardStreams.writeOut("cancelled \(id)\n")
        case .cancelling: StandardStreams.writeOut("cancelling \(id): its worker stops it within one heartbeat (\(JSON.format(q.settings.heartbeat))s)\n")
        case .alreadyFinished(let state): throw MMPError.invalidInput("job \(id) has already ended (\(state))")
        }
    }
}

struct RetryJob: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Queue a dead, failed or cancelled job again.")

    @Argument(help: "Job id.") var id: String
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let q = try Fleet.open(global)
        let retried = try q.retry(id)
        StandardStreams.writeOut("queued \(id) again\n")
        if let key = try q.record(id)?.fields["idempotency_key"], !key.isEmpty, !retried.holdsIdempotencyKey {
            StandardStreams.writeError("(its idempotency key '\(key)' now names another unfinished job, which keeps it)\n")
        }
    }
}
