import MMPAdapters
import MMPConfig
import MMPCore

extension RecipeValidator {
    /// The recipe's feature views (names, features, join keys) checked against the views the
    /// environment's feature store declares, when it has one. Returns the problems, or a note
    /// saying why the views were not checked.
    public static func featureViewProblems(_ recipe: Recipe, document: YAMLDocument?, config: AppConfig) -> (problems: [RecipeProblem], note: String?) {
        guard recipe.data.fetcher.kind == .featureStore else { return ([], nil) }
        do {
            guard let name = try config.adapterName(for: "feature_store"), name != "none" else {
                return ([], "feature views not checked: this environment has no feature store")
            }
            let directory = try config.string(at: "adapters.feature_store.definitions") ?? "features"
            let catalog = try FeatureViewCatalog.load(directory: directory)
            _ = try catalog.resolve(recipe.data.fetcher.featureViews)
            return ([], nil)
        } catch let error as MMPError where error.kind == .invalidRecipe {
            return ([RecipeProblem(location: document?.location(of: "data.fetcher.feature_views") ?? recipe.file,
                                   field: "data.fetcher.feature_views", message: error.message)], nil)
        } catch {
            return ([], "feature views not checked: \(MMPError.wrap(error).message)")
        }
    }
}
