/// Registrations of adapters beyond the built-in CSV loader and filesystem storage
/// (PostgreSQL loader, feature store, MLflow storage). One line per adapter.
enum StandardAdapters {
    static func registerExtras(_ registry: inout AdapterRegistry) {
        registry.loaders.register("postgresql") { try PostgresLoader(config: $0) }
        registry.featureStores.register("postgresql") { try PostgresFeatureStore(config: $0) }
        registry.storages.register("mlflow") { try MLflowStorage(config: $0) }
    }
}
