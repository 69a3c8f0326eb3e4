import Foundation
import MMPAdapters
import MMPConfig
import MMPCore
import MMPLearn
import MMPPostgres
import MMPRedis
import MMPTestSupport
import Testing

@Suite("Online feature store (Redis)")
struct OnlineStoreTests {
    static func redisURL() throws -> String { try TestEnvironment.redisURL() }

    static func redis() throws -> RedisSettings { try RedisSettings(url: try redisURL()) }

    /// A store over the point-in-time fixture with a key prefix of its own.
    static func store(_ schema: String, views: FeatureViewCatalog? = nil) throws -> PostgresFeatureStore {
        PostgresFeatureStore(catalog: views ?? PointInTimeJoinTests.views(schema), offline: try TestDatabase.options(),
                             online: try redis(), onlinePrefix: "mmp:test:\(schema)")
    }

    static let asOf = Timestamp.parse("2024-02-01T00:00:00Z")!

    func values(_ column: Column?) -> [Double?] { column?.doubles?.map { $0.isNaN ? nil : $0 } ?? [] }
    func texts(_ column: Column?) -> [String?] {
        guard let column else { return [] }
        return (0..<column.count).map { column.isMissing($0) ? nil : column.text(at: $0) }
    }

    @Test("materialize writes each entity's latest row within the TTL; lookup returns it by key")
    func materializeAndLookup() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript(PointInTimeJoinTests.fixture.replacing("%s", with: schema))
            let store = try Self.store(schema)
            let written = try store.materialize(views: nil, asOf: Self.asOf)
            // user 3's only row (2023-06-01) is older than the 30-day TTL on 2024-02-01.
            #expect(written.map(\.view) == ["user_stats", "pair_stats"])
            #expect(written.map(\.rows) == [2, 2])

            let entities = try Table(columns: [.numeric("user_id", [1, 2, 3, 4, .nan]), .categorical("product_id", ["p1", "p2", "p1", "p1", "p1"])])
            let looked = try store.lookupOnline(entities, request: FeatureRequest(
                views: [FeatureViewSelection(name: "user_stats", features: nil), FeatureViewSelection(name: "pair_stats", features: nil)],
                entityColumns: ["user_id", "product_id"], timestampColumn: ""))
            #expect(looked.columnNames == ["user_id", "product_id", "score", "tier", "views"])
            #expect(values(looked.column("score")) == [3, 20, nil, nil, nil])
            #expect(texts(looked.column("tier")) == ["c", "x", nil, nil, nil])
            #expect(looked.column("tier")?.kind == .categorical)
            #expect(values(looked.column("views")) == [6, nil, nil, nil, nil])

            // Keys expire when their values would pass the TTL: user 2's row (2024-01-05) has
            // 3 days left on 2024-02-01; rows of a view without TTL never expire.
            let redis = try RedisConnection.connect(try Self.redis())
            let ttl = try #require(redis.command("TTL", "mmp:test:\(schema):user_stats:2").int)
            #expect(abs(ttl - 3 * 86400) < 60)
            #expect(try redis.command("TTL", "mmp:test:\(schema):pair_stats:1|p1").int == -1)
            #expect(try redis.command("HGET", "mmp:test:\(schema):user_stats:__schema", "__rows").string == "2")
            _ = try redis.command("EVAL", "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 0", "0", "mmp:test:\(schema):*")
        }
    }

    @Test("materializing again replaces values, and a value that became NULL disappears")
    func rematerialize() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript(PointInTimeJoinTests.fixture.replacing("%s", with: schema))
            let store = try Self.store(schema)
            _ = try store.materialize(views: ["user_stats"], asOf: Self.asOf)
            try connection.execute("INSERT INTO \(schema).user_stats VALUES (1, '2024-01-25', 4, NULL)")
            let written = try store.materialize(views: ["user_stats"], asOf: Self.asOf)
            #expect(written.map(\.rows) == [2])
            let looked = try store.lookupOnline(try Table(columns: [.numeric("user_id", [1])]), request: FeatureRequest(
                views: [FeatureViewSelection(name: "user_stats", features: nil)], entityColumns: ["user_id"], timestampColumn: ""))
            #expect(values(looked.column("score")) == [4])
            #expect(texts(looked.column("tier")) == [nil])
        }
    }

    @Test("looking up a view that was never materialized says how to fix it")
    func notMaterialized() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript(PointInTimeJoinTests.fixture.replacing("%s", with: schema))
            let store = try Self.store(schema)
            let error = try #require(caught {
                _ = try store.lookupOnline(try Table(columns: [.numeric("user_id", [1])]), request: FeatureRequest(
                    views: [FeatureViewSelection(name: "user_stats", features: nil)], entityColumns: ["user_id"], timestampColumn: ""))
            })
            #expect(error.message.contains("mmp features materialize --view user_stats"))
        }
    }

    @Test("keys with separators and text entity values round-trip")
    func awkwardKeys() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript("""
                CREATE TABLE \(schema).f (a text, b text, ts timestamptz, v float8);
                INSERT INTO \(schema).f VALUES ('x|y', '50%', '2024-01-01+00', 1.5), ('x', 'y|50%', '2024-01-01+00', 2.5);
                """)
            let view = FeatureView(name: "f", schema: schema, table: "f", entities: ["a", "b"], timestampColumn: "ts", ttl: nil, features: ["v"])
            let store = try Self.store(schema, views: FeatureViewCatalog(views: [view]))
            #expect(try store.materialize(views: nil, asOf: Self.asOf).map(\.rows) == [2])
            let looked = try store.lookupOnline(try Table(columns: [.categorical("a", ["x", "x|y"]), .categorical("b", ["y|50%", "50%"])]),
                                                request: FeatureRequest(views: [FeatureViewSelection(name: "f", features: nil)], entityColumns: ["a", "b"], timestampColumn: ""))
            #expect(values(looked.column("v")) == [2.5, 1.5])
        }
    }
}
