import MMPCore
import MMPLearn
import MMPPostgres
import MMPRedis

/// The online half of the feature store: each entity's latest feature values in a Redis hash,
/// written by `materialize` and read by key at prediction time.
///
/// Layout (documented in docs/feature-store.md):
/// - `<prefix>:<view>:<key>` hash: one field per feature (absent when NULL) and `__ts`, the
///   feature row's timestamp (Unix seconds). `<key>` is the entity values joined by `|`
///   (`%`, `|` percent-escaped). With a TTL the key expires when its values would be too old.
/// - `<prefix>:<view>:__schema` hash: feature → column kind, plus `__materialized_at`,
///   `__as_of` and `__rows`.
struct OnlineStore {
    let settings: RedisSettings
    let prefix: String
    /// Commands per pipeline round trip.
    var batchSize = 1_000

    func key(_ view: FeatureView, _ values: [String]) -> String {
        "\(prefix):\(view.name):" + values.map(OnlineStore.escape).joined(separator: "|")
    }

    func schemaKey(_ view: FeatureView) -> String { "\(prefix):\(view.name):__schema" }

    static func escape(_ value: String) -> String {
        guard value.contains("%") || value.contains("|") else { return value }
        return value.replacing("%", with: "%25").replacing("|", with: "%7C")
    }

    // MARK: Materialize

    /// Writes the latest row per entity of `view` as of `asOf` (Unix seconds), skipping rows
    /// older than the TTL at that moment. Returns the entities written.
    func materialize(_ view: FeatureView, from connection: PostgresConnection, asOf: Double, fetchSize: Int) throws -> Int {
        let redis = try RedisConnection.connect(settings)
        defer { redis.close() }
        let ts = SQLIdentifier.quote(view.timestampColumn)
        var parameters: [String?] = [PostgresText.format(asOf)]
        var window = "s.\(ts) <= to_timestamp($1::float8)"
        if let ttl = view.ttl {
            parameters.append(PostgresText.format(ttl))
            window += " AND s.\(ts) >= to_timestamp($1::float8) - $2::float8 * interval '1 second'"
        }
        let keys = view.entities.map { "s.\(SQLIdentifier.quote($0))" }.joined(separator: ", ")
        let features = view.features.map { "s.\(SQLIdentifier.quote($0))" }.joined(separator: ", ")
        // The latest row per entity: DISTINCT ON keeps the first row of each key in ORDER BY order.
        let sql = """
            SELECT DISTINCT ON (\(keys)) \(keys), s.\(ts), \(features)
            FROM \(view.qualifiedTable) s
            WHERE \(window)
            ORDER BY \(keys), s.\(ts) DESC
            """
        var writer = Writer(store: self, view: view, redis: redis, asOf: asOf, now: Timestamp.now())
        try connection.stream(PostgresQuery(sql, parameters: parameters, source: "materializing \(view.name)"),
                              fetchSize: fetchSize, into: &writer)
        try writer.flush()
        var schema = RedisCommand(["HSET", schemaKey(view)])
        for (feature, kind) in zip(view.features, writer.kinds) { schema.append([feature, kind.rawValue]) }
        schema.append(["__materialized_at", PostgresText.format(Timestamp.now()), "__as_of", PostgresText.format(asOf),
                       "__rows", String(writer.rows)])
        try check(redis.pipeline([RedisCommand(["DEL", schemaKey(view)]), schema]))
        return writer.rows
    }

    /// Streams rows (entities, timestamp, features) into pipelined HSETs.
    private struct Writer: PostgresRowHandler {
        let store: OnlineStore
        let view: FeatureView
        let redis: RedisConnection
        let asOf: Double
        let now: Double
        var kinds: [ColumnKind] = []
        var pending: [RedisCommand] = []
        var rows = 0

        mutating func begin(_ columns: [PostgresColumn]) throws {
            kinds = columns.dropFirst(view.entities.count + 1).map { column in
                switch column.kind {
                case .number, .boolean: return .numeric
                case .date, .timestamp: return .timestamp
                case .text: return .categorical
                }
            }
        }

        mutating func consume(_ chunk: PostgresRows) throws {
            let keyCount = view.entities.count
            for r in 0..<chunk.count {
                let keyValues = (0..<keyCount).map { chunk.text(r, $0) ?? "" }
                let key = store.key(view, keyValues)
                let stamp = chunk.seconds(r, keyCount)
                var set = RedisCommand(["HSET", key, "__ts", PostgresText.format(stamp)])
                var nulls = RedisCommand(["HDEL", key])
                for (i, feature) in view.features.enumerated() {
                    let c = keyCount + 1 + i
                    if chunk.isNull(r, c) { nulls.append(feature); continue }
                    switch kinds[i] {
                    case .numeric: set.append([feature, PostgresText.format(chunk.number(r, c))])
                    case .timestamp: set.append([feature, PostgresText.format(chunk.seconds(r, c))])
                    case .categorical: set.append([feature, chunk.text(r, c) ?? ""])
                    }
                }
                pending.append(set)
                if nulls.count > 2 { pending.append(nulls) }
                if let ttl = view.ttl {
                    // Valid until the row is ttl old, counted from the as-of moment on the wall clock.
                    let expires = Int((now + (stamp + ttl - asOf)).rounded(.up))
                    pending.append(RedisCommand(["EXPIREAT", key, String(expires)]))
                } else {
                    pending.append(RedisCommand(["PERSIST", key]))
                }
                rows += 1
                if pending.count >= store.batchSize { try flush() }
            }
        }

        mutating func flush() throws {
            guard !pending.isEmpty else { return }
            try store.check(redis.pipeline(pending))
            pending.removeAll(keepingCapacity: true)
        }
    }

    func check(_ replies: [RedisReply]) throws {
        if let error = replies.lazy.compactMap(\.errorMessage).first {
            throw MMPError(.connection, "redis \(settings.endpoint) refused a feature write: \(error)")
        }
    }

    // MARK: Lookup

    /// The `features` of `view` for each row of `entities` (keys in the view's entity columns).
    func lookup(_ view: FeatureView, features: [String], entities: Table) throws -> [Column] {
        let redis = try RedisConnection.connect(settings)
        defer { redis.close() }
        return try lookup(view, features: features, entities: entities, on: redis).columns
    }

    /// As above over a connection the caller keeps, also naming the rows whose entity has no
    /// online values in the view (never materialized, or expired with the view's TTL): every
    /// materialized key holds `__ts`, so its absence tells a missing entity from NULL features.
    func lookup(_ view: FeatureView, features: [String], entities: Table,
                on redis: RedisConnection) throws -> (columns: [Column], missingRows: [Int]) {
        let keyColumns = try view.entities.map { try entities.require($0, role: "entity column '\($0)' of feature view '\(view.name)'") }
        let schema = try redis.command("HGETALL", schemaKey(view)).dictionary
        guard !schema.isEmpty else {
            throw MMPError(.notFound, "feature view '\(view.name)' has no online values in redis \(settings.endpoint) (prefix \(prefix)); run: mmp features materialize --view \(view.name)")
        }
        let kinds = try features.map { feature -> ColumnKind in
            guard let kind = schema[feature].flatMap(ColumnKind.init(rawValue:)) else {
                throw MMPError(.notFound, "feature '\(feature)' of view '\(view.name)' is not in the online store; materialize the view again (mmp features materialize --view \(view.name))")
            }
            return kind
        }
        var values = [[String?]](repeating: [], count: features.count)
        var missingRows: [Int] = []
        var start = 0
        while start < entities.rowCount {
            let end = min(entities.rowCount, start + batchSize)
            let commands = (start..<end).map { row -> RedisCommand in
                let key = keyColumns.contains { $0.isMissing(row) }
                    ? "\(prefix):\(view.name):__missing"  // no key: nothing to find
                    : key(view, keyColumns.map { OnlineStore.keyText($0, row) })
                return RedisCommand(["HMGET", key] + features + ["__ts"])
            }
            let replies = try redis.pipeline(commands)
            try check(replies)
            for (offset, reply) in replies.enumerated() {
                let fields = reply.array ?? []
                for i in features.indices { values[i].append(i < fields.count ? fields[i].string : nil) }
                if fields.count <= features.count || fields[features.count].string == nil { missingRows.append(start + offset) }
            }
            start = end
        }
        let columns = zip(features, zip(kinds, values)).map { feature, pair -> Column in
            let (kind, texts) = pair
            switch kind {
            case .numeric: return .numeric(feature, texts.map { $0.flatMap(Double.init) ?? .nan })
            case .timestamp: return .timestamp(feature, texts.map { $0.flatMap(Double.init) ?? .nan })
            case .categorical: return .categorical(feature, texts)
            }
        }
        return (columns, missingRows)
    }

    /// An entity value as the key text materialize wrote: integers without a fraction, times as
    /// PostgreSQL prints them in UTC.
    static func keyText(_ column: Column, _ row: Int) -> String {
        switch column.values {
        case .numeric(let v): return CSVWriter.format(v[row])
        case .timestamp(let v): return PostgresText.iso8601(v[row])
        case .categorical: return column.text(at: row)
        }
    }
}
