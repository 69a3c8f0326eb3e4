import ArgumentParser
import MMPCore
import MMPPipeline

/// The child process a worker runs for each job. Not for people: reads the job payload (JSON)
/// on stdin, writes ChildMessage lines on stdout.
struct RunJobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-job",
        abstract: "Run one job payload from stdin (used by mmp-worker).",
        shouldDisplay: false
    )

    @Option(help: "The job's id (written into the model bundle).")
    var jobID: String?

    func run() throws {
        var bytes: [UInt8] = []
        while let line = readLine(strippingNewline: false) { bytes += Array(line.utf8) }
        let emit: @Sendable (ChildMessage) -> Void = { StandardStreams.writeOut($0.line) }
        let payload: JobPayload
        do {
            payload = try JobPayload(text: String(decoding: bytes, as: UTF8.self))
        } catch {
            emit(.error(kind: .invalidInput, message: MMPError.wrap(error).message))
            throw ExitCode(1)
        }
        let workspace = try Workspace.current()
        let code = JobRunner.run(payload, jobID: jobID, workspace: workspace, emit: emit)
        if code != 0 { throw ExitCode(code) }
    }
}
