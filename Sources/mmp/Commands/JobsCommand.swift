import ArgumentParser
import MMPCore

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List and manage jobs (lands with the fleet).",
        shouldDisplay: false
    )

    func run() throws {
        throw MMPError.invalidInput("mmp jobs is not available in this build yet")
    }
}
