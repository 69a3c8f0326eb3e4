import ArgumentParser

struct QueueBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "Not yet written.")
    func run() throws { print("mmp-bench queue: not yet written") }
}
