import MMPConfig
import MMPCore
import MMPLearn
import MMPQueue

/// The parent of tuning across the fleet (`tune`), run in steps: each step reads its trials
/// (children), and while fewer than `n_trials` were started it keeps `parallel_trials` in
/// flight, choosing each new trial with TPE and the constant liar for the pending ones; it is
/// woken whenever a trial ends. When every trial has ended it refits the best parameters with
/// the whole training pipeline (a model bundle, as `mmp train` makes) and succeeds with the
/// trial history beside the training result.
public enum TuningParent {
    public static func step(_ payload: JobPayload, jobID: String, workspace: Workspace, events: TrainingEvents,
                            emit: (ChildMessage) -> Void) throws -> JSON {
        guard let parallel = payload.options["parallel_trials"]?.intValue, parallel >= 1 else {
            throw MMPError.invalidInput("a tune job needs options.parallel_trials of at least 1")
        }
        let document = try YAMLDocument(path: payload.recipeFile.isEmpty ? "recipe.yaml" : payload.recipeFile, text: payload.recipeYAML)
        let recipe = try RecipeLoader.decode(document, overrides: payload.params)
        guard recipe.model.hyperparameters.tuningEnabled else {
            throw MMPError.invalidInput("--parallel-trials needs a recipe with model.hyperparameters.tuning_enabled: true")
        }
        let tuner = try FleetTuningPlan.tuner(recipe)
        let queue = try FleetQueue.open(workspace: workspace)
        let children = try queue.children(of: jobID)
        var finished: [Trial] = []
        var pending: [JSONObject] = []
        for child in children {
            let options = (try? JobPayload(text: child.payloadText))?.options ?? JSONObject()
            let number = options["trial"]?.intValue ?? finished.count + pending.count
            let parameters = options["parameters"]?.objectValue ?? JSONObject()
            switch child.state {
            case .succeeded?:
                finished.append(Trial(number: number, parameters: parameters, score: child.result?["score"]?.doubleValue, seconds: child.duration(nowMillis: Clock.nowMillis()) ?? 0))
            case .failed?, .dead?, .cancelled?:
                finished.append(Trial(number: number, parameters: parameters, score: nil, seconds: 0,
                                      error: "\(child.stateText): \(child.errorMessage ?? "no error recorded")"))
            default:
                pending.append(parameters)
            }
        }
        let started = children.count
        if started < tuner.trials {
            var specs: [JSON] = []
            var inFlight = pending
            for number in started..<min(tuner.trials, started + max(0, parallel - pending.count)) {
                let parameters = tuner.suggest(number: number, finished: finished, pending: inFlight)
                inFlight.append(parameters)
                var trial = payload
                trial.kind = .tuneTrial
                trial.options = JSONObject([("parent", .string(jobID)), ("trial", .int(number)), ("parameters", .object(parameters))])
                specs.append(["label": .string("trial \(number + 1)/\(tuner.trials)"), "payload": trial.json, "max_attempts": 2])
            }
            emit(.stageDone(stage: "tune", detail: "\(finished.count) of \(tuner.trials) trials done, \(inFlight.count) in flight", seconds: 0))
            return ["spawn": ["wake_on": "any", "seen": .int(finished.count), "children": .array(specs)]]
        }
        if !pending.isEmpty {
            return ["spawn": ["wake_on": "any", "seen": .int(finished.count), "children": .array([])]]
        }
        // Every trial has ended: refit the best.
        let scored = finished.filter { $0.score != nil }
        guard let best = tuner.direction == .maximize ? scored.max(by: { $0.score! < $1.score! }) : scored.min(by: { $0.score! < $1.score! }) else {
            let first = finished.compactMap(\.error).first ?? "no trial produced a score"
            return ["children_verdict": ["state": "failed", "kind": "children",
                                         "message": .string("every tuning trial failed; the first error: \(first)")]]
        }
        var refit = recipe
        refit.model.hyperparameters.tuningEnabled = false
        var values = recipe.model.hyperparameters.fixed
        for (k, v) in best.parameters { values[k] = v }
        refit.model.hyperparameters.values = values
        let directory = RecipePath(path: payload.recipeFile).directory
        let input = TrainingInput(recipe: refit, sqlText: payload.sqlText, recipeDirectory: directory, jobID: jobID)
        let result = try TrainPipeline(config: try workspace.config()).run(input, events: events)
        var json = result.json.objectValue ?? JSONObject()
        var tuning = JSONObject()
        tuning["metric"] = .string(tuner.metric)
        tuning["direction"] = .string(tuner.direction.rawValue)
        tuning["best_score"] = .double(best.score!)
        tuning["best_parameters"] = .object(best.parameters)
        tuning["best_trial"] = .int(best.number)
        tuning["trials_run"] = .int(finished.count)
        tuning["parallel_trials"] = .int(parallel)
        tuning["refit_on"] = "train"
        tuning["trials"] = .array(finished.sorted { $0.number < $1.number }.map { t in
            var o = JSONObject([("number", .int(t.number)), ("parameters", .object(t.parameters)), ("score", t.score.map(JSON.double) ?? .null)])
            if let e = t.error { o["error"] = .string(e) }
            return .object(o)
        })
        json["tuning"] = .object(tuning)
        var metrics = json["metrics"]?.objectValue ?? JSONObject()
        metrics["tuning_best_\(tuner.metric)"] = .double(best.score!)
        json["metrics"] = .object(metrics)
        return .object(json)
    }
}

/// The folder part of a path, nil when it has none (no Foundation needed for this).
struct RecipePath {
    let path: String
    var directory: String? {
        guard let slash = path.lastIndex(of: "/") else { return nil }
        let d = String(path[..<slash])
        return d.isEmpty ? "/" : d
    }
}

