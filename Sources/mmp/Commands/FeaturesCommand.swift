import ArgumentParser
import MMPCore

struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Feature store commands (lands with the feature store).",
        shouldDisplay: false
    )

    func run() throws {
        throw MMPError.invalidInput("mmp features is not available in this build yet")
    }
}
