#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MMPConfig
import MMPCore

/// The child side of a worker job (`mmp run-job`): runs one payload and reports through
/// `ChildMessage` lines. Returns the process exit code.
public enum JobRunner {
    public static func run(_ payload: JobPayload, jobID: String?, workspace: Workspace,
                           emit: @escaping @Sendable (ChildMessage) -> Void) -> Int32 {
        let scrub = workspace.scrubber
        func fail(_ error: any Error) -> Int32 {
            let e = MMPError.wrap(error)
            emit(.error(kind: e.kind, message: scrub.scrub(e.message)))
            return 1
        }
        switch payload.kind {
        case .noop:
            emit(.result(["kind": "noop"]))
            return 0
        case .diagnostic:
            return diagnostic(payload.options, jobID: jobID, emit: emit)
        case .train:
            do {
                let document = try YAMLDocument(path: payload.recipeFile.isEmpty ? "recipe.yaml" : payload.recipeFile, text: payload.recipeYAML)
                let recipe = try RecipeLoader.decode(document, overrides: payload.params)
                let config = try workspace.config()
                let throttle = ProgressThrottle()
                let events = TrainingEvents(
                    stageStarted: { emit(.stage($0.rawValue)) },
                    stageFinished: { stage, detail, seconds in emit(.stageDone(stage: stage.rawValue, detail: scrub.scrub(detail), seconds: seconds)) },
                    progress: { value, stage in if throttle.shouldSend(value) { emit(.progress(stage: stage.rawValue, progress: value)) } })
                let directory = (payload.recipeFile as NSString).deletingLastPathComponent
                let (registerName, registerAlias) = TrackingRequest.registration(from: payload.options)
                let tracking = TrackingRequest(recipeText: payload.recipeYAML, registerName: registerName, registerAlias: registerAlias,
                                               guardExecutable: TrackingRequest.currentExecutable())
                let input = TrainingInput(recipe: recipe, sqlText: payload.sqlText, recipeDirectory: directory.isEmpty ? nil : directory,
                                          jobID: jobID, tracking: tracking)
                let result = try TrainPipeline(config: config).run(input, events: events)
                emit(.result(result.json))
                return 0
            } catch {
                return fail(error)
            }
        }
    }

    /// sleep / fail / crash on purpose, reporting progress while sleeping. With `mark` (a file
    /// path), a run that gets to its end appends the job's id there first: a side effect that
    /// counts runs (the chaos run and the failover tests check each job ran to its end once).
    static func diagnostic(_ options: JSONObject, jobID: String?, emit: @Sendable (ChildMessage) -> Void) -> Int32 {
        let seconds = options["seconds"]?.doubleValue ?? 0
        let action = options["action"]?.stringValue ?? "sleep"
        // With `mark_dir`, every run that starts first appends a line to `<mark_dir>/<job id>`:
        // tests count the starts (a job killed with its worker and run again elsewhere marks twice).
        if let directory = options["mark_dir"]?.stringValue, !directory.isEmpty, let jobID,
           let file = fopen("\(directory)/\(jobID)", "a") {
            fputs("run by pid \(getpid())\n", file)
            fclose(file)
        }
        emit(.stage("diagnostic"))
        let start = Timestamp.monotonic()
        while Timestamp.monotonic() - start < seconds {
            usleep(50_000)
            emit(.progress(stage: "diagnostic", progress: min(1, (Timestamp.monotonic() - start) / max(seconds, 0.001))))
        }
        if let mark = options["mark"]?.stringValue, !mark.isEmpty {
            // One write(2) with O_APPEND: lines of concurrent jobs never interleave.
            let fd = open(mark, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            if fd >= 0 {
                var line = "\(jobID ?? "?") \(getpid())\n"
                line.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
                close(fd)
            }
        }
        switch action {
        case "crash":
            abort()
        case "fail":
            let kind = MMPError.Kind(rawValue: options["kind"]?.stringValue ?? "") ?? .internal
            emit(.error(kind: kind, message: options["message"]?.stringValue ?? "diagnostic failure"))
            return 1
        default:
            emit(.result(["kind": "diagnostic", "slept": .double(seconds)]))
            return 0
        }
    }
}

/// Sends progress at most every 1% or 250 ms, so a fast loop does not flood the supervisor.
final class ProgressThrottle: @unchecked Sendable {
    private let lock = NSLock()
    private var lastValue = -1.0
    private var lastTime = 0.0

    func shouldSend(_ value: Double) -> Bool {
        lock.lock(); defer { lock.unlock() }
        let now = Timestamp.monotonic()
        guard value - lastValue >= 0.01 || (now - lastTime >= 0.25 && value != lastValue) || value >= 1 && lastValue < 1 else { return false }
        lastValue = value
        lastTime = now
        return true
    }
}
