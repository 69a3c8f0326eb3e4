import ArgumentParser
import MMPCore
import MMPPipeline

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a recipe here, in this process.",
        discussion: """
        Loads the rows the recipe names with this environment's loader, splits, preprocesses, fits (tuning \
        first when the recipe asks), evaluates on the test split and stores the model bundle with this \
        environment's storage. Prints each stage, the metrics and the artifact.

        --param key=value sets a query parameter of the recipe's SQL file; a dotted key sets a recipe field:
          mmp train churn --param model.hyperparameters.values.C=0.5
        """
    )

    @Argument(help: "Recipe path, or name under recipes/ (with or without .yaml).")
    var recipe: String

    @Option(name: .customLong("param"), help: ArgumentHelp("Override: key=value (repeatable).", valueName: "key=value"))
    var params: [String] = []

    @Flag(help: "Print one JSON object with recipe, metrics and artifact, and nothing else on stdout.")
    var json = false

    @Option(help: ArgumentHelp("Register the model in MLflow's model registry under this name (needs tracking: mlflow).", valueName: "name"))
    var register: String?

    @Option(help: ArgumentHelp("With --register: point this alias (e.g. champion) at the new version.", valueName: "alias"))
    var alias: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        do { try TrackingRequest.validateRegistration(name: register, alias: alias) } catch let e as MMPError { throw ValidationError(e.message) }
    }

    func run() throws {
        let workspace = try Workspace.current(configDirectory: global.configDirectory)
        let (recipe, document) = try workspace.recipe(self.recipe, params: params)
        let config = try workspace.config(env: global.appEnv)
        let sqlText = try workspace.sqlText(for: recipe)
        // Every problem at once: the recipe's own, then its columns against the data's header.
        let problems = RecipeValidator.problems(recipe, document: document)
            + RecipeValidator.columnProblems(recipe, document: document, config: config, registry: .standard, sqlText: sqlText).problems
        if !problems.isEmpty { throw MMPError.invalidRecipe(file: recipe.file, problems: problems) }
        let json = self.json
        let say: @Sendable (String) -> Void = { json ? StandardStreams.writeError($0) : StandardStreams.writeOut($0) }
        say("training \(recipe.name) (\(recipe.task.rawValue), \(recipe.model.classPath)) with APP_ENV=\(config.env)\n")
        let events = TrainingEvents(
            stageStarted: { _ in },
            stageFinished: { stage, detail, seconds in
                say("  \(stage.rawValue.padding(toLength: 10)) \(String(format3(seconds)).leftPadded(7))s  \(detail)\n")
            })
        let tracking = TrackingRequest(recipeText: document.text, registerName: register, registerAlias: alias,
                                       guardExecutable: TrackingRequest.currentExecutable(), appEnv: global.appEnv,
                                       configDirectory: global.configDirectory)
        let input = TrainingInput(recipe: recipe, sqlText: sqlText,
                                  recipeDirectory: directory(of: recipe.file), tracking: tracking)
        let result = try TrainPipeline(config: config).run(input, events: events)
        if json {
            StandardStreams.writeOut(result.json.serialized() + "\n")
            return
        }
        var table = TextTable(headers: ["metric", "value"], rightAligned: [1])
        for (name, value) in result.metrics { table.add([name, formatMetric(value)]) }
        say("\n" + table.render())
        say("\nartifact  \(result.artifact.uri)\nsha256    \(result.artifact.sha256)\nbytes     \(result.artifact.bytes)\n")
        if let tracking = result.tracking {
            if let run = tracking["run_id"]?.stringValue, tracking["status"]?.stringValue == "tracked" {
                say("mlflow    run \(run) (\(tracking["run_uri"]?.stringValue ?? ""))\n")
            } else {
                say("mlflow    tracking failed: \(tracking["error"]?.stringValue ?? "")\n")
            }
            if let registered = tracking["registered"] {
                say("registry  \(registered["uri"]?.stringValue ?? "")\(registered["alias_uri"].map { " = \($0.plainText)" } ?? "")\n")
            }
        }
    }
}

func directory(of path: String) -> String? {
    guard let slash = path.lastIndex(of: "/") else { return nil }
    return String(path[..<slash])
}

func format3(_ seconds: Double) -> String {
    let ms = Int((seconds * 1000).rounded())
    let frac = ms % 1000
    return "\(ms / 1000).\(frac < 10 ? "00" : frac < 100 ? "0" : "")\(frac)"
}

extension String {
    func padding(toLength n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
