import ArgumentParser
import MMPCore

struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queue a recipe for the workers (lands with the fleet).",
        shouldDisplay: false
    )

    func run() throws {
        throw MMPError.invalidInput("mmp submit is not available in this build yet")
    }
}
