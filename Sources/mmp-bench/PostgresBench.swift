import ArgumentParser

struct PostgresBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "postgres", abstract: "Not yet written.")
    func run() throws { print("mmp-bench postgres: not yet written") }
}
