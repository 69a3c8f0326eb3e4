import ArgumentParser
import MMPCore
import MMPPipeline

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the resolved config of an environment.",
        subcommands: [Show.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print config/base.yaml merged with config/<APP_ENV>.yaml, variables filled, every secret redacted."
        )

        @Option(help: "Only this section (a dotted path such as queue or adapters.postgresql).")
        var section: String?

        @Flag(help: "Print JSON instead of YAML-like text.")
        var json = false

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let workspace = try Workspace.current(configDirectory: global.configDirectory)
            let config = try workspace.config(env: global.appEnv)
            var value = config.redacted()
            if let section {
                guard let v = value.value(atPath: section) else { throw MMPError.notFound("no section '\(section)' in the \(config.env) config") }
                value = v
            }
            if json {
                StandardStreams.writeOut(value.prettySerialized() + "\n")
            } else {
                StandardStreams.writeOut("# APP_ENV=\(config.env); files: \(config.files.joined(separator: ", ")); secrets shown as ***\n")
                StandardStreams.writeOut(YAMLText.render(value))
            }
        }
    }
}
