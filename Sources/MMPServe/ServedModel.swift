import MMPAdapters
import MMPArtifacts
import MMPConfig
import MMPCore
import MMPLearn
import MMPPipeline
import NIOPosix

/// A model as served: the bundle, where it came from, what a request must carry, and the
/// answers of `/model/metadata` and `/model/schema`, rendered once at load. Immutable: a hot
/// swap installs a new one, and requests that already hold the old one finish with it.
public final class ServedModel: Sendable {
    public let bundle: ModelBundle
    public let uri: String
    public let revision: ModelRevision
    public let sha256: String
    public let loadedAt: Double
    public let schema: RowSchema
    /// The online store lookups, when the recipe fetched features from a feature store.
    public let online: OnlineFeatures?
    /// Class labels of a classifier, in probability order.
    public let classes: [String]?
    let metadataText: String
    let schemaText: String
    /// The URI as a JSON string, and the writer of prediction fields.
    let quotedURI: String
    let writer: PredictionJSON
    /// Reads request bodies into the schema's columns.
    let decoder: RowDecoder

    /// - Parameter featureStore: this environment's feature store, asked for only when the
    ///   model's recipe fetched its features from one.
    public init(_ loaded: LoadedBundle, uri: String, featureStore: () throws -> (any FeatureStore)?,
                lookupThreads: NIOThreadPool) throws {
        bundle = loaded.bundle
        self.uri = uri
        revision = loaded.revision
        sha256 = loaded.sha256
        loadedAt = Timestamp.now()
        classes = loaded.bundle.labels?.classes
        quotedURI = JSON.string(uri).serialized()
        writer = PredictionJSON(classes: loaded.bundle.labels?.classes)
        let recipe = try RecipeDecoder.decode(loaded.bundle.recipeSnapshot, file: "the recipe of model '\(loaded.bundle.recipeName)'")
        if recipe.data.fetcher.kind == .featureStore, !recipe.data.fetcher.featureViews.isEmpty {
            let request = try PredictPipeline.featureRequest(for: loaded.bundle)
            guard let store = try featureStore() else {
                throw MMPError(.invalidConfig, "model '\(loaded.bundle.recipeName)' takes its features from the feature store, and this environment has none (data_adapters.feature_store is none); serve it with APP_ENV=dev or another environment with a feature store")
            }
            let online = try OnlineFeatures(store: store, request: request, threads: lookupThreads)
            self.online = online
            schema = RowSchema(bundle: loaded.bundle, onlineKeys: online.keys, provided: online.provided,
                               timestampColumn: request.timestampColumn)
        } else {
            online = nil
            schema = RowSchema(bundle: loaded.bundle)
        }
        decoder = RowDecoder(schema: schema)
        metadataText = ModelDocuments.metadata(bundle: loaded.bundle, uri: uri, revision: loaded.revision, sha256: loaded.sha256,
                                               loadedAt: loadedAt, online: online).serialized()
        schemaText = ModelDocuments.jsonSchema(bundle: loaded.bundle, schema: schema).serialized()
    }

    /// What `/ready` and `/` say about it.
    public var summary: JSONObject {
        JSONObject([
            ("model_uri", .string(uri)), ("version", .string(revision.label)), ("registry_version", revision.version.map(JSON.string) ?? .null),
            ("sha256", .string(sha256)), ("recipe", .string(bundle.recipeName)), ("model", .string(bundle.modelName)),
            ("loaded_at", .string(Timestamp.iso8601(loadedAt))),
        ])
    }
}
