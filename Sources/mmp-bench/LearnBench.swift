import ArgumentParser

struct LearnBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "learn", abstract: "Not yet written.")
    func run() throws { print("mmp-bench learn: not yet written") }
}
