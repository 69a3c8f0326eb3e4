import MMPConfig
import MMPCore
import MMPLearn
import MMPPostgres

/// Feature store `postgresql`: feature views declared in YAML over PostgreSQL tables; the
/// offline store is PostgreSQL itself (point-in-time joins for training), the online store is
/// Redis (latest values per entity, for prediction).
///
/// Config (`adapters.feature_store`):
/// ```yaml
/// definitions: features                         # folder of feature view YAML files
/// offline_uri: ${FEATURE_STORE_OFFLINE_URI:-}   # empty: adapters.postgresql
/// online_uri: ${FEATURE_STORE_ONLINE_URI:-}     # empty: the queue's Redis
/// ```
public struct PostgresFeatureStore: FeatureStore {
    public let catalog: FeatureViewCatalog
    public let offline: PostgresConnectionOptions
    public let fetchSize: Int

    public init(catalog: FeatureViewCatalog, offline: PostgresConnectionOptions, fetchSize: Int = 10_000) {
        self.catalog = catalog
        self.offline = offline
        self.fetchSize = fetchSize
    }

    public init(config: AppConfig) throws {
        let directory = try config.string(at: "adapters.feature_store.definitions") ?? "features"
        catalog = try FeatureViewCatalog.load(directory: directory)
        offline = try PostgresFeatureStore.offlineOptions(config: config)
        fetchSize = try PostgresSettings.fetchSize(config: config)
    }

    /// `FEATURE_STORE_OFFLINE_URI` (via `adapters.feature_store.offline_uri`) when set, else
    /// `adapters.postgresql`. A URI without a password takes `adapters.postgresql.password`.
    static func offlineOptions(config: AppConfig) throws -> PostgresConnectionOptions {
        guard let uri = try config.string(at: "adapters.feature_store.offline_uri")?.trimmed(), !uri.isEmpty else {
            return try PostgresSettings.options(config: config)
        }
        var options = try PostgresConnectionOptions(uri: uri, origin: .uri("FEATURE_STORE_OFFLINE_URI"))
        if options.password == nil, try config.value(at: "adapters.postgresql.password") != nil {
            let settings = try PostgresSettings.options(config: config)
            options.password = settings.password
            options.statementTimeout = options.statementTimeout ?? settings.statementTimeout
        }
        return options
    }

    public func joinOffline(_ rows: Table, request: FeatureRequest) throws -> Table {
        let join = PointInTimeJoin(selections: try catalog.resolve(request.views), timestampColumn: request.timestampColumn)
        try join.check(rows)
        let connection = try PostgresConnection(offline)
        defer { connection.close() }
        var table = rows
        for column in try join.run(rows, on: connection, fetchSize: fetchSize) { try table.set(column) }
        return table
    }

    public func lookupOnline(_ entities: Table, request: FeatureRequest) throws -> Table {
        throw MMPError(.invalidConfig, "the online feature store is not available in this build yet")
    }

    public func materialize(views: [String]?) throws -> [(view: String, rows: Int)] {
        throw MMPError(.invalidConfig, "the online feature store is not available in this build yet")
    }
}
