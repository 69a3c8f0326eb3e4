import ArgumentParser
import MMPCore

struct WorkersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers",
        abstract: "Live workers (lands with the fleet).",
        shouldDisplay: false
    )

    func run() throws {
        throw MMPError.invalidInput("mmp workers is not available in this build yet")
    }
}
