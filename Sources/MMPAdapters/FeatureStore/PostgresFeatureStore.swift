import MMPConfig
import MMPCore
import MMPLearn
import MMPPostgres
import MMPRedis

/// Feature store `postgresql`: feature views declared in YAML over PostgreSQL tables; the
/// offline store is PostgreSQL itself (point-in-time joins for training), the online store is
/// Redis (latest values per entity, for prediction).
///
/// Config (`adapters.feature_store`):
/// ```yaml
/// definitions: features                         # folder of feature view YAML files
/// offline_uri: ${FEATURE_STORE_OFFLINE_URI:-}   # empty: adapters.postgresql
/// online_uri: ${FEATURE_STORE_ONLINE_URI:-}     # empty: the queue's Redis
/// online_key_prefix: mmp:features
/// ```
public struct PostgresFeatureStore: FeatureStore {
    public let catalog: FeatureViewCatalog
    public let offline: PostgresConnectionOptions
    /// The online store's Redis; nil when the environment has none (offline joins still work).
    public let online: RedisSettings?
    public let onlinePrefix: String
    public let fetchSize: Int

    public init(catalog: FeatureViewCatalog, offline: PostgresConnectionOptions, online: RedisSettings? = nil,
                onlinePrefix: String = "mmp:features", fetchSize: Int = 10_000) {
        self.catalog = catalog
        self.offline = offline
        self.online = online
        self.onlinePrefix = onlinePrefix
        self.fetchSize = fetchSize
    }

    public init(config: AppConfig) throws {
        let directory = try config.string(at: "adapters.feature_store.definitions") ?? "features"
        catalog = try FeatureViewCatalog.load(directory: directory)
        offline = try PostgresFeatureStore.offlineOptions(config: config)
        online = try PostgresFeatureStore.onlineSettings(config: config)
        onlinePrefix = try config.string(at: "adapters.feature_store.online_key_prefix").map { $0.trimmed() }.flatMap { $0.isEmpty ? nil : $0 } ?? "mmp:features"
        fetchSize = try PostgresSettings.fetchSize(config: config)
    }

    /// `FEATURE_STORE_ONLINE_URI` (via `adapters.feature_store.online_uri`) when set, else the
    /// queue's Redis (`queue.redis`), else none.
    static func onlineSettings(config: AppConfig) throws -> RedisSettings? {
        if let uri = try config.string(at: "adapters.feature_store.online_uri")?.trimmed(), !uri.isEmpty {
            do { return try RedisSettings(url: uri) } catch {
                throw MMPError(.invalidConfig, "FEATURE_STORE_ONLINE_URI (adapters.feature_store.online_uri): \(MMPError.wrap(error).message)")
            }
        }
        guard try config.value(at: "queue.redis") != nil else { return nil }
        return try RedisSettings.fromSection(try config.section("queue.redis"))
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
        let store = try onlineStore()
        let selections = try catalog.resolve(request.views)
        var table = entities
        for (view, features) in selections {
            for feature in features where table.column(feature) != nil {
                throw MMPError(.invalidInput, "the input already has a column '\(feature)', which feature view '\(view.name)' provides; leave it out of the entities file")
            }
            for column in try store.lookup(view, features: features, entities: entities) { try table.set(column) }
        }
        return table
    }

    public func materialize(views: [String]?, asOf: Double?) throws -> [(view: String, rows: Int)] {
        let store = try onlineStore()
        let selected = try (views ?? catalog.names).map { try catalog.view($0) }
        let connection = try PostgresConnection(offline)
        defer { connection.close() }
        let schema = try SourceSchema.read(selected, on: connection)
        return try selected.map { view in
            for column in view.entities + [view.timestampColumn] + view.features { _ = try schema.type(of: column, in: view) }
            return (view.name, try store.materialize(view, from: connection, asOf: asOf ?? Timestamp.now(), fetchSize: fetchSize))
        }
    }

    func onlineStore() throws -> OnlineStore {
        guard let online else {
            throw MMPError(.invalidConfig, "this environment has no online feature store: set FEATURE_STORE_ONLINE_URI (adapters.feature_store.online_uri) or a queue.redis section")
        }
        return OnlineStore(settings: online, prefix: onlinePrefix)
    }
}
