import MMPConfig
import MMPCore
import MMPLearn

/// Which loaded columns are the target, the entities and the features of a recipe.
struct ColumnRoles {
    var target: String?
    var entities: [String]
    /// Input feature columns, before preprocessing.
    var features: [String]
    /// Causal recipes: the treatment column, and the group the model's `control_name` calls control.
    var treatment: String?
    var controlName: String?
    /// Entity and time columns that are not features: kept beside the features through
    /// preprocessing so steps can work per entity in time order (forward_fill, interpolation).
    var ordering: [String] = []
    /// The column that orders rows in time, when the recipe names one.
    var timestamp: String?

    init(recipe: Recipe, table: Table) throws {
        let problems = RecipeValidator.dataProblems(recipe, table: table)
        if !problems.isEmpty { throw MMPError.invalidRecipe(file: recipe.file, problems: problems) }
        let di = recipe.data.dataInterface
        target = di.targetColumn
        entities = di.entityColumns
        treatment = recipe.task == .causal ? di.treatmentColumn : nil
        controlName = recipe.model.hyperparameters.baseValues["control_name"]?.stringValue ?? "control"
        if let listed = di.featureColumns {
            features = listed
        } else {
            // Every other column, except time columns: they order rows, they are not evidence.
            let excluded = Set([di.targetColumn, di.timestampColumn, recipe.data.fetcher.timestampColumn,
                                recipe.data.split.temporalColumn, treatment].compactMap { $0 } + di.entityColumns)
            features = table.columns.filter { !excluded.contains($0.name) && $0.kind != .timestamp }.map(\.name)
        }
        timestamp = di.timestampColumn ?? recipe.data.fetcher.timestampColumn
        ordering = (entities + [timestamp].compactMap { $0 }).filter { name in !features.contains(name) && table.column(name) != nil }
        // A time series may have no columns besides its timestamp and target: it learns from its own past.
        guard !features.isEmpty || recipe.task == .timeseries else {
            throw MMPError.invalidRecipe(file: recipe.file, problems: [RecipeProblem(location: recipe.file, field: "data.data_interface.feature_columns",
                message: "no feature columns remain after removing the target, entity and time columns (columns: \(table.columnNames.joined(separator: ", ")))")])
        }
    }
}
