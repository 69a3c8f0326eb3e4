import ArgumentParser
import MMPCore
import MMPPipeline

/// The guard of an MLflow run (started by the training process, not by people): waits for the
/// training process to end; when it died without ending its run, marks the run KILLED or FAILED.
struct RunGuardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-guard",
        abstract: "End an MLflow run whose training process died (used by mmp train and mmp run-job).",
        shouldDisplay: false
    )

    @Option(help: "The MLflow run to guard.")
    var runID: String

    @Option(help: "The fleet job training it, if any (its record says how it ended).")
    var jobID: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let workspace = try Workspace.current(configDirectory: global.configDirectory)
        let env = global.appEnv
        if let line = RunGuardWatch.run(runID: runID, jobID: jobID, config: { try workspace.config(env: env) }) {
            StandardStreams.writeError("mmp run-guard: \(workspace.scrubber.scrub(line))\n")
        }
    }
}
