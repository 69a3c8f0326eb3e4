import ArgumentParser
import MMPConfig
import MMPCore
import MMPAdapters
import MMPPipeline

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a recipe without training: fields, types, model, hyperparameters, steps, metrics.",
        discussion: "Exits 0 when the recipe is valid, 1 with every problem listed (file:line, field, what to do)."
    )

    @Argument(help: "Recipe path, or name under recipes/.")
    var recipe: String

    @Option(name: .customLong("param"), help: ArgumentHelp("Override: key=value (repeatable).", valueName: "key=value"))
    var params: [String] = []

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let workspace = try Workspace.current(configDirectory: global.configDirectory)
        let (recipe, document) = try workspace.recipe(self.recipe, params: params)
        var problems = RecipeValidator.problems(recipe, document: document)
        // With the environment's loader, also check the column roles against the data's columns.
        var note: String?
        do {
            let config = try workspace.config(env: global.appEnv)
            let checked = RecipeValidator.columnProblems(recipe, document: document, config: config, registry: .standard,
                                                         sqlText: try? workspace.sqlText(for: recipe))
            problems += checked.problems
            note = checked.note
            let views = RecipeValidator.featureViewProblems(recipe, document: document, config: config)
            problems += views.problems
            if note == nil { note = views.note }
        } catch {
            note = "columns not checked: \(MMPError.wrap(error).message)"
        }
        if !problems.isEmpty { throw MMPError.invalidRecipe(file: recipe.file, problems: problems) }
        if let note { StandardStreams.writeError("note: \(workspace.scrubber.scrub(note))\n") }
        StandardStreams.writeOut("\(recipe.file): valid (\(recipe.task.rawValue), \(recipe.model.classPath)\(recipe.model.hyperparameters.tuningEnabled ? ", tuning \(recipe.model.hyperparameters.nTrials) trials" : ""))\n")
    }
}
