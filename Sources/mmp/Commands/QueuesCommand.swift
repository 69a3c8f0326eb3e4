import ArgumentParser
import MMPCore

struct QueuesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queues",
        abstract: "Queue depths (lands with the fleet).",
        shouldDisplay: false
    )

    func run() throws {
        throw MMPError.invalidInput("mmp queues is not available in this build yet")
    }
}
