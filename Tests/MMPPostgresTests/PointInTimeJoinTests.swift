import MMPAdapters
import MMPConfig
import MMPCore
import MMPLearn
import MMPPostgres
import MMPTestSupport
import Testing

@Suite("Point-in-time feature join")
struct PointInTimeJoinTests {
    /// Feature rows change over time; events fall between them. `right` is what a point-in-time
    /// join must return; `leaky` is what joining each entity's latest row would return.
    static let fixture = """
        CREATE TABLE %s.user_stats (user_id bigint, ts timestamp, score float8, tier text);
        INSERT INTO %s.user_stats VALUES
          (1, '2024-01-01 00:00:00', 1, 'a'),
          (1, '2024-01-10 00:00:00', 2, 'b'),
          (1, '2024-01-20 00:00:00', 3, 'c'),
          (2, '2024-01-05 00:00:00', 20, 'x'),
          (3, '2023-06-01 00:00:00', 30, 'old');
        CREATE INDEX ON %s.user_stats (user_id, ts DESC);
        CREATE TABLE %s.pair_stats (user_id bigint, product_id text, seen_at timestamptz, views int4);
        INSERT INTO %s.pair_stats VALUES
          (1, 'p1', '2024-01-02 00:00:00+00', 5),
          (1, 'p2', '2024-01-02 00:00:00+00', 7),
          (1, 'p1', '2024-01-15 00:00:00+00', 6);
        CREATE TABLE %s.events (event_id int, user_id bigint, product_id text, event_ts timestamptz);
        INSERT INTO %s.events VALUES
          (0, 1, 'p1', '2023-12-31 00:00:00+00'),
          (1, 1, 'p1', '2024-01-01 00:00:00+00'),
          (2, 1, 'p2', '2024-01-09 23:59:59+00'),
          (3, 1, 'p1', '2024-01-10 00:00:01+00'),
          (4, 1, 'p1', '2024-02-01 00:00:00+00'),
          (5, 2, 'p1', '2024-01-04 00:00:00+00'),
          (6, 2, 'p1', '2024-03-01 00:00:00+00'),
          (7, 3, 'p1', '2024-01-15 00:00:00+00'),
          (8, 4, 'p1', '2024-01-15 00:00:00+00'),
          (9, NULL, 'p1', '2024-01-15 00:00:00+00'),
          (10, 1, 'p1', '2024-01-10 00:00:00+00');
        """
    //                          event: 0    1    2    3    4    5    6    7    8    9    10
    static let rightScore: [Double?] = [nil, 1, 1, 2, 3, nil, nil, nil, nil, nil, 2]
    static let rightTier: [String?] = [nil, "a", "a", "b", "c", nil, nil, nil, nil, nil, "b"]
    static let leakyScore: [Double?] = [3, 3, 3, 3, 3, 20, 20, 30, nil, nil, 3]
    static let rightViews: [Double?] = [nil, nil, 7, 5, 6, nil, nil, nil, nil, nil, 5]

    static func views(_ schema: String) -> FeatureViewCatalog {
        FeatureViewCatalog(views: [
            FeatureView(name: "user_stats", schema: schema, table: "user_stats", entities: ["user_id"], timestampColumn: "ts",
                        ttl: 30 * 86400, features: ["score", "tier"]),
            FeatureView(name: "pair_stats", schema: schema, table: "pair_stats", entities: ["user_id", "product_id"],
                        timestampColumn: "seen_at", ttl: nil, features: ["views"]),
        ])
    }

    func events(_ schema: String, order: String = "event_id") throws -> Table {
        try PostgresLoader(options: try TestDatabase.options())
            .load(LoadRequest(sourceURI: "events.sql", sqlText: "SELECT * FROM \(schema).events ORDER BY \(order)"))
    }

    func values(_ column: Column?) -> [Double?] {
        guard let column, let d = column.doubles else { return [] }
        return d.map { $0.isNaN ? nil : $0 }
    }

    func texts(_ column: Column?) -> [String?] {
        guard let column else { return [] }
        return (0..<column.count).map { column.isMissing($0) ? nil : column.text(at: $0) }
    }

    @Test("each row gets the latest feature row at or before its time, within the TTL; never a later one")
    func rowByRow() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript(Self.fixture.replacing("%s", with: schema))
            let store = PostgresFeatureStore(catalog: Self.views(schema), offline: try TestDatabase.options())
            let rows = try events(schema)
            let joined = try store.joinOffline(rows, request: FeatureRequest(
                views: [FeatureViewSelection(name: "user_stats", features: nil), FeatureViewSelection(name: "pair_stats", features: nil)],
                entityColumns: ["user_id", "product_id"], timestampColumn: "event_ts"))

            #expect(joined.columnNames == ["event_id", "user_id", "product_id", "event_ts", "score", "tier", "views"])
            #expect(joined.rowCount == 11)
            let ids = values(joined.column("event_id")).map { Int($0!) }
            #expect(ids == Array(0...10))
            // The dataset tells the two joins apart on several rows...
            #expect(Self.rightScore != Self.leakyScore)
            // ...and the join returns the right one, row by row.
            let score = values(joined.column("score"))
            let tier = texts(joined.column("tier"))
            let views = values(joined.column("views"))
            for row in 0..<11 {
                #expect(score[row] == Self.rightScore[row], "score of event \(row)")
                #expect(tier[row] == Self.rightTier[row], "tier of event \(row)")
                #expect(views[row] == Self.rightViews[row], "views of event \(row)")
            }
            #expect(joined.column("score")?.kind == .numeric)
            #expect(joined.column("tier")?.kind == .categorical)
        }
    }

    @Test("row order is the input's, whatever it is")
    func keepsOrder() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript(Self.fixture.replacing("%s", with: schema))
            let store = PostgresFeatureStore(catalog: Self.views(schema), offline: try TestDatabase.options())
            let rows = try events(schema, order: "event_id DESC")
            let joined = try store.joinOffline(rows, request: FeatureRequest(
                views: [FeatureViewSelection(name: "user_stats", features: ["score"])], entityColumns: ["user_id"], timestampColumn: "event_ts"))
            let ids = values(joined.column("event_id")).map { Int($0!) }
            #expect(ids == Array((0...10).reversed()))
            #expect(values(joined.column("score")) == Array(Self.rightScore.reversed()))
            #expect(joined.column("tier") == nil)
        }
    }

    @Test("without a TTL, old values stay valid; with one, they expire")
    func ttl() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript(Self.fixture.replacing("%s", with: schema))
            var catalog = Self.views(schema).views
            catalog[0].ttl = nil
            let store = PostgresFeatureStore(catalog: FeatureViewCatalog(views: catalog), offline: try TestDatabase.options())
            let joined = try store.joinOffline(try events(schema), request: FeatureRequest(
                views: [FeatureViewSelection(name: "user_stats", features: ["score"])], entityColumns: ["user_id"], timestampColumn: "event_ts"))
            let score = values(joined.column("score"))
            // Events 6 (56 days after user 2's row) and 7 (7 months after user 3's) now see them.
            #expect(score[6] == 20)
            #expect(score[7] == 30)
            #expect(Self.rightScore[6] == nil && Self.rightScore[7] == nil)
            // The TTL bound is inclusive: exactly one day after the 2024-01-05 row still sees it, one second later does not.
            catalog[0].ttl = 86400
            let short = PostgresFeatureStore(catalog: FeatureViewCatalog(views: catalog), offline: try TestDatabase.options())
            let rows = try Table(columns: [
                .numeric("user_id", [2, 2, 1]),
                .timestamp("at", [Timestamp.parse("2024-01-06T00:00:00Z")!, Timestamp.parse("2024-01-06T00:00:01Z")!,
                                  Timestamp.parse("2024-01-11T00:00:00Z")!]),
            ])
            let edge = try short.joinOffline(rows, request: FeatureRequest(
                views: [FeatureViewSelection(name: "user_stats", features: ["score"])], entityColumns: ["user_id"], timestampColumn: "at"))
            #expect(values(edge.column("score")) == [20, nil, 2])
        }
    }

    @Test("timestamps with microseconds: a feature row one microsecond after the event is not used")
    func microseconds() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript("""
                CREATE TABLE \(schema).f (k text, ts timestamptz, v int);
                INSERT INTO \(schema).f VALUES ('a', '2024-01-01 00:00:00.000001+00', 1), ('a', '2024-01-01 00:00:00.000003+00', 2);
                """)
            let view = FeatureView(name: "f", schema: schema, table: "f", entities: ["k"], timestampColumn: "ts", ttl: nil, features: ["v"])
            let store = PostgresFeatureStore(catalog: FeatureViewCatalog(views: [view]), offline: try TestDatabase.options())
            let rows = try PostgresLoader(options: try TestDatabase.options()).load(LoadRequest(sourceURI: "e.sql", sqlText: """
                SELECT * FROM (VALUES ('a', '2024-01-01 00:00:00.000002+00'::timestamptz), ('a', '2024-01-01 00:00:00.000003+00'::timestamptz)) e(k, at)
                """))
            let joined = try store.joinOffline(rows, request: FeatureRequest(
                views: [FeatureViewSelection(name: "f", features: nil)], entityColumns: ["k"], timestampColumn: "at"))
            #expect(values(joined.column("v")) == [1, 2])
        }
    }

    @Test("unknown views, features, entity columns and tables are named in the error")
    func errors() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript(Self.fixture.replacing("%s", with: schema))
            let store = PostgresFeatureStore(catalog: Self.views(schema), offline: try TestDatabase.options())
            let rows = try events(schema)
            func join(_ views: [FeatureViewSelection], ts: String = "event_ts", on table: Table? = nil) -> MMPError? {
                caught { _ = try store.joinOffline(table ?? rows, request: FeatureRequest(views: views, entityColumns: ["user_id"], timestampColumn: ts)) }
            }
            let unknownView = try #require(join([FeatureViewSelection(name: "user_stat", features: nil)]))
            #expect(unknownView.message.contains("no feature view 'user_stat'; did you mean 'user_stats'?"))
            let unknownFeature = try #require(join([FeatureViewSelection(name: "user_stats", features: ["scor"])]))
            #expect(unknownFeature.message.contains("has no feature 'scor'; did you mean 'score'?"))
            let noTimestamp = try #require(join([FeatureViewSelection(name: "user_stats", features: nil)], ts: "when"))
            #expect(noTimestamp.kind == .missingColumn)
            #expect(noTimestamp.message.contains("'when'"))
            let noEntity = try #require(join([FeatureViewSelection(name: "pair_stats", features: nil)],
                                             on: try rows.selecting(columns: ["event_id", "user_id", "event_ts"])))
            #expect(noEntity.message.contains("entity column 'product_id' of feature view 'pair_stats'"))

            let missingTable = FeatureView(name: "ghost", schema: schema, table: "nope", entities: ["user_id"], timestampColumn: "ts", ttl: nil, features: ["x"])
            let ghostStore = PostgresFeatureStore(catalog: FeatureViewCatalog(views: [missingTable]), offline: try TestDatabase.options())
            let ghost = try #require(caught { _ = try ghostStore.joinOffline(rows, request: FeatureRequest(
                views: [FeatureViewSelection(name: "ghost", features: nil)], entityColumns: ["user_id"], timestampColumn: "event_ts")) })
            #expect(ghost.message.contains("\(schema).nope, which does not exist"))

            let badColumn = FeatureView(name: "bad", schema: schema, table: "user_stats", entities: ["user_id"], timestampColumn: "ts", ttl: nil, features: ["scores"])
            let badStore = PostgresFeatureStore(catalog: FeatureViewCatalog(views: [badColumn]), offline: try TestDatabase.options())
            let bad = try #require(caught { _ = try badStore.joinOffline(rows, request: FeatureRequest(
                views: [FeatureViewSelection(name: "bad", features: nil)], entityColumns: ["user_id"], timestampColumn: "event_ts")) })
            #expect(bad.message.contains("names column 'scores'"))
            #expect(bad.message.contains("did you mean 'score'?"))
        }
    }
}
