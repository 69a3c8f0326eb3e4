import MMPConfig
import MMPCore
import MMPLearn

/// What a loader needs to fetch a recipe's rows.
public struct LoadRequest: Sendable {
    /// `data.loader.source_uri` as written in the recipe.
    public var sourceURI: String
    /// The SQL text, carried by the job so a worker needs no copy of the recipe's files.
    public var sqlText: String?
    /// Named query parameters: recipe defaults with `--param` overrides applied.
    public var parameters: JSONObject
    /// The recipe's folder, for resolving relative paths that are not under the base path.
    public var recipeDirectory: String?
    /// The columns the recipe uses (nil: all). Columnar sources (Parquet) read only these;
    /// names the source lacks are left for the later stages to report.
    public var columns: [String]?

    public init(sourceURI: String, sqlText: String? = nil, parameters: JSONObject = JSONObject(), recipeDirectory: String? = nil,
                columns: [String]? = nil) {
        self.sourceURI = sourceURI; self.sqlText = sqlText; self.parameters = parameters; self.recipeDirectory = recipeDirectory
        self.columns = columns
    }
}

/// Reads a recipe's rows into a table.
public protocol DataLoader: Sendable {
    func load(_ request: LoadRequest) throws -> Table
    /// The column names `load` would return, found cheaply (a CSV header, a query's result
    /// description), so `mmp validate` can check column roles without loading rows. Nil when the
    /// loader cannot tell without loading.
    func columnNames(_ request: LoadRequest) throws -> [String]?
}

extension DataLoader {
    public func columnNames(_ request: LoadRequest) throws -> [String]? { nil }
}

/// A stored model bundle.
public struct StoredArtifact: Sendable, Equatable {
    public var uri: String
    public var sha256: String
    public var bytes: Int
    public init(uri: String, sha256: String, bytes: Int) { self.uri = uri; self.sha256 = sha256; self.bytes = bytes }

    public var json: JSON {
        .object(JSONObject([("uri", .string(uri)), ("sha256", .string(sha256)), ("bytes", .int(bytes))]))
    }
}

/// Writes and reads artifacts.
public protocol ArtifactStorage: Sendable {
    /// Stores `bytes` for `recipe`; the location is derived from the name but can never leave
    /// the storage root whatever the name holds.
    func store(_ bytes: [UInt8], recipe: String, jobID: String?) throws -> StoredArtifact
    func fetch(_ uri: String) throws -> [UInt8]
}

/// Which feature views to join onto loaded rows, and on what.
public struct FeatureRequest: Sendable {
    public var views: [FeatureViewSelection]
    public var entityColumns: [String]
    public var timestampColumn: String
    public init(views: [FeatureViewSelection], entityColumns: [String], timestampColumn: String) {
        self.views = views; self.entityColumns = entityColumns; self.timestampColumn = timestampColumn
    }
}

/// Offline (point-in-time, for training) and online (latest values, for prediction) features.
public protocol FeatureStore: Sendable {
    /// The rows with the requested features appended: for each row, the values of the latest
    /// feature row at or before the row's timestamp (and within the view's TTL), else missing.
    func joinOffline(_ rows: Table, request: FeatureRequest) throws -> Table
    /// The entities with their latest materialized feature values appended.
    func lookupOnline(_ entities: Table, request: FeatureRequest) throws -> Table
    /// Writes the latest values per entity as of `asOf` (Unix seconds; nil for now) to the
    /// online store; returns entities written per view (nil views: all of them).
    func materialize(views: [String]?, asOf: Double?) throws -> [(view: String, rows: Int)]
    /// A reader that keeps its connection to the online store, for a server (`mmp serve`).
    func onlineReader(for request: FeatureRequest) throws -> OnlineFeatureReader
}

extension FeatureStore {
    public func onlineReader(for request: FeatureRequest) throws -> OnlineFeatureReader {
        throw MMPError(.invalidConfig, "the \(type(of: self)) feature store has no online reader for a server")
    }
}

public typealias LoaderFactory = @Sendable (AppConfig) throws -> any DataLoader
public typealias StorageFactory = @Sendable (AppConfig) throws -> any ArtifactStorage
public typealias FeatureStoreFactory = @Sendable (AppConfig) throws -> any FeatureStore

/// One registry per role (design §2). The config's `data_adapters` names pick the entries.
public struct AdapterRegistry: Sendable {
    public var loaders = Registry<LoaderFactory>(role: "loader adapter")
    public var storages = Registry<StorageFactory>(role: "storage adapter")
    public var featureStores = Registry<FeatureStoreFactory>(role: "feature_store adapter")

    public init() {}

    /// Every adapter mmp ships.
    public static let standard: AdapterRegistry = {
        var r = AdapterRegistry()
        r.loaders.register("local_files") { try LocalFilesLoader(config: $0) }
        r.storages.register("filesystem") { try FilesystemStorage(config: $0) }
        StandardAdapters.registerExtras(&r)
        return r
    }()

    public func loader(for config: AppConfig) throws -> any DataLoader {
        guard let name = try config.adapterName(for: "loader") else {
            throw MMPError(.invalidConfig, "\(config.files.last ?? "the config") names no loader under data_adapters.loader (known: \(loaders.names.joined(separator: ", ")))")
        }
        return try loaders.resolve(name)(config)
    }

    public func storage(for config: AppConfig) throws -> any ArtifactStorage {
        guard let name = try config.adapterName(for: "storage") else {
            throw MMPError(.invalidConfig, "\(config.files.last ?? "the config") names no storage under data_adapters.storage (known: \(storages.names.joined(separator: ", ")))")
        }
        return try storages.resolve(name)(config)
    }

    /// Nil when the config sets `feature_store: none`.
    public func featureStore(for config: AppConfig) throws -> (any FeatureStore)? {
        guard let name = try config.adapterName(for: "feature_store") else { return nil }
        return try featureStores.resolve(name)(config)
    }
}
