import MMPConfig

/// Which columns a recipe reads from its source: nil (all) unless it lists its feature columns
/// and takes no features from a feature store (whose features are joined later, by name).
public enum LoadColumns {
    public static func needed(by recipe: Recipe) -> [String]? {
        let di = recipe.data.dataInterface
        guard let features = di.featureColumns, recipe.data.fetcher.kind == .passThrough else { return nil }
        var names: [String] = []
        for name in di.entityColumns + [di.targetColumn, di.timestampColumn, recipe.data.split.temporalColumn].compactMap({ $0 }) + features
        where !names.contains(name) {
            names.append(name)
        }
        return names
    }
}
