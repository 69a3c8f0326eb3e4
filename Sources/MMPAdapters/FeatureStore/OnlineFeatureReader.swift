import MMPCore
import MMPLearn
import MMPRedis

/// An entity a lookup found no online values for in one view.
public struct MissingEntity: Sendable, Equatable {
    /// The row of the entities table.
    public var row: Int
    public var view: String
    /// The view's key columns and the values looked up, as text.
    public var key: [String: String]
}

public struct OnlineLookup: Sendable {
    /// The entities with the views' features appended (missing where the entity was not found).
    public var table: Table
    /// Rows whose entity has no online values in some view, in row order.
    public var missing: [MissingEntity]
}

/// Online lookups for one feature request over one Redis connection that it keeps, for a
/// long-running reader (`mmp serve`): no connect per lookup, and entities that are not in the
/// online store are reported rather than returned as rows of missing values.
///
/// Used by one thread at a time (the connection is a hiredis context); a server keeps a pool.
public final class OnlineFeatureReader: @unchecked Sendable {
    /// The entity columns the views are keyed by, in view order.
    public let keys: [String]
    /// The features the views provide, in view order.
    public let provided: [String]
    let store: OnlineStore
    let selections: [(view: FeatureView, features: [String])]
    let redis: RedisConnection

    init(store: OnlineStore, selections: [(view: FeatureView, features: [String])]) {
        self.store = store
        self.selections = selections
        var keys: [String] = []
        for (view, _) in selections { for key in view.entities where !keys.contains(key) { keys.append(key) } }
        self.keys = keys
        provided = selections.flatMap(\.features)
        redis = RedisConnection(settings: store.settings)
    }

    public func lookup(_ entities: Table) throws -> OnlineLookup {
        var table = entities
        var missing: [MissingEntity] = []
        for (view, features) in selections {
            for feature in features where entities.column(feature) != nil {
                throw MMPError(.invalidInput, "the input already has a column '\(feature)', which feature view '\(view.name)' provides; leave it out")
            }
            let found: (columns: [Column], missingRows: [Int])
            do {
                found = try store.lookup(view, features: features, entities: entities, on: redis)
            } catch let error as MMPError where error.isRetryable {
                // A broken connection reconnects on the next command; say which store failed.
                redis.close()
                throw error
            }
            for column in found.columns { try table.set(column) }
            for row in found.missingRows {
                let key = Dictionary(uniqueKeysWithValues: view.entities.map { name in
                    (name, entities.column(name).map { OnlineStore.keyText($0, row) } ?? "")
                })
                missing.append(MissingEntity(row: row, view: view.name, key: key))
            }
        }
        missing.sort { ($0.row, $0.view) < ($1.row, $1.view) }
        return OnlineLookup(table: table, missing: missing)
    }

    public func close() { redis.close() }
}

extension PostgresFeatureStore {
    public func onlineReader(for request: FeatureRequest) throws -> OnlineFeatureReader {
        OnlineFeatureReader(store: try onlineStore(), selections: try catalog.resolve(request.views))
    }
}
