import ArgumentParser
import MMPCore

struct MMPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mmp",
        abstract: "Train models from YAML recipes, locally or on a fleet of workers.",
        discussion: """
        A recipe says what to learn; the config of APP_ENV (config/<env>.yaml over config/base.yaml) says where \
        it runs. `mmp train` runs a recipe here; `mmp submit` queues it for `mmp-worker` processes.

        Exit codes: 0 success, 1 the work failed or the input is invalid, 2 usage error.
        """,
        version: MMPVersion.current,
        subcommands: [
            TrainCommand.self, ValidateCommand.self, PredictCommand.self, ServeCommand.self,
            SubmitCommand.self, JobsCommand.self, QueuesCommand.self, WorkersCommand.self,
            FeaturesCommand.self, ListCommand.self, ConfigCommand.self, RunJobCommand.self, RunGuardCommand.self,
        ]
    )
}

/// Options every command that reads a config takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("env"), help: "Environment to use instead of APP_ENV (local, dev, prod).")
    var appEnv: String?

    @Option(name: .customLong("config-dir"), help: "Folder with base.yaml and <env>.yaml (default: $MMP_CONFIG_DIR or ./config).")
    var configDirectory: String?
}
