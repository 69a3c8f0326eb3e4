import ArgumentParser
import MMPConfig
import MMPCore
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
        try RecipeValidator.validate(recipe, document: document)
        StandardStreams.writeOut("\(recipe.file): valid (\(recipe.task.rawValue), \(recipe.model.classPath)\(recipe.model.hyperparameters.tuningEnabled ? ", tuning \(recipe.model.hyperparameters.nTrials) trials" : ""))\n")
    }
}
