import ArgumentParser
import MMPCore
import MMPJobViews
import MMPQueue

struct WorkersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers",
        abstract: "Live workers and what they run."
    )

    @Flag(help: "Print a JSON array.") var json = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let q = try Fleet.open(global)
        let workers = try q.workers()
        let now = Clock.nowMillis()
        if json {
            StandardStreams.writeOut(JSON.array(workers.map(\.json)).serialized() + "\n")
        } else if workers.isEmpty {
            StandardStreams.writeOut("no live workers\n")
        } else {
            StandardStreams.writeOut(JobViews.workersTable(workers, nowMillis: now))
        }
    }
}
