/// Registrations of adapters beyond the built-in CSV loader and filesystem storage
/// (PostgreSQL loader, feature store). One line per adapter.
enum StandardAdapters {
    static func registerExtras(_ registry: inout AdapterRegistry) {
        registry.loaders.register("postgresql") { try PostgresLoader(config: $0) }
        registry.featureStores.register("postgresql") { try PostgresFeatureStore(config: $0) }
    }
}
