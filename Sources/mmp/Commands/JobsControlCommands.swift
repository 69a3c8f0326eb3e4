import ArgumentParser
import MMPCore
import MMPQueue

struct PromoteJob: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "promote",
                                                    abstract: "Run a scheduled job (a --delay, a retry's backoff) now: it goes to pending.")

    @Argument(help: "Job id.") var id: String
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Fleet.open(global).promote(id)
        StandardStreams.writeOut("queued \(id) now\n")
    }
}

struct DeleteJob: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete",
                                                    abstract: "Delete a job that is not running, and its record (cancel a running one first).")

    @Argument(help: "Job id.") var id: String
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let from = try Fleet.open(global).delete(id)
        StandardStreams.writeOut("deleted \(id)\(from.map { " (it was \($0.rawValue))" } ?? "")\n")
    }
}

struct PauseQueue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause a queue: workers lease nothing from it until it is resumed (running jobs finish).")

    @Argument(help: "Queue name.") var queue: String
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let changed = try Fleet.open(global).pause(queue)
        StandardStreams.writeOut(changed ? "paused \(queue)\n" : "\(queue) was already paused\n")
    }
}

struct ResumeQueue: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused queue.")

    @Argument(help: "Queue name.") var queue: String
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let changed = try Fleet.open(global).resume(queue)
        StandardStreams.writeOut(changed ? "resumed \(queue)\n" : "\(queue) was not paused\n")
    }
}
