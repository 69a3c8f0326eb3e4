import Foundation
import MMPAdapters
import MMPConfig
import MMPCore
import MMPLearn
import MMPPostgres
import MMPTestSupport
import Testing

/// The example stack end to end: scripts/sql/seed.sh loads the generated fraud data into the
/// test server, the recipe's SQL loads the payments, and the repository's feature views join
/// point-in-time. The only tests that touch the `events` and `features` schemas.
@Suite("Fraud example data", .serialized)
struct FraudExampleTests {
    static var root: String { TestEnvironment.repoRoot }

    /// Seeds once per test process; later callers get the first outcome.
    static func seedOnce() throws {
        if let error = seeding { throw error }
    }

    private static let seeding: MMPError? = {
        do { try seed(); return nil } catch { return MMPError.wrap(error) }
    }()

    static func seed() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(root)/scripts/sql/seed.sh")
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MMPError.io("scripts/sql/seed.sh failed: \(String(decoding: output, as: UTF8.self))")
        }
    }

    @Test("seeded payments load through the recipe's SQL and join features without seeing their own label")
    func loadAndJoin() throws {
        try Self.seedOnce()
        let sql = try String(contentsOfFile: "\(Self.root)/recipes/sql/fraud_transactions.sql", encoding: .utf8)
        let rows = try PostgresLoader(options: try TestDatabase.options(statementTimeout: 120)).load(LoadRequest(
            sourceURI: "recipes/sql/fraud_transactions.sql", sqlText: sql,
            parameters: JSONObject([("start_date", "2024-01-01"), ("end_date", "2024-07-01")])))
        #expect(rows.rowCount > 20_000)
        #expect(rows.column("event_timestamp")?.kind == .timestamp)
        #expect(rows.column("is_fraud")?.kind == .numeric)
        let fraud = try #require(rows.column("is_fraud")?.doubles)
        let rate = fraud.reduce(0, +) / Double(fraud.count)
        #expect(rate > 0.02 && rate < 0.12)

        let catalog = try FeatureViewCatalog.load(directory: "\(Self.root)/features")
        let store = PostgresFeatureStore(catalog: catalog, offline: try TestDatabase.options(statementTimeout: 120))
        let joined = try store.joinOffline(rows, request: FeatureRequest(
            views: [FeatureViewSelection(name: "user_demographics", features: nil),
                    FeatureViewSelection(name: "user_purchase_summary", features: nil),
                    FeatureViewSelection(name: "product_details", features: nil)],
            entityColumns: ["transaction_id", "user_id", "product_id"], timestampColumn: "event_timestamp"))
        #expect(joined.rowCount == rows.rowCount)
        for name in ["age", "kyc_level", "txn_count_7d", "chargebacks_90d", "category", "merchant_risk_score"] {
            let column = try #require(joined.column(name), "\(name) joined")
            #expect(column.missingCount < column.count / 2, "\(name) mostly present")
        }

        // Ground truth from the payments table: chargebacks of the user reported before each
        // payment. A point-in-time feature can never exceed it; the latest snapshot can.
        let connection = try TestDatabase.connect()
        let truth = try connection.execute("""
            SELECT t.transaction_id,
                   (SELECT count(*) FROM events.transactions p
                     WHERE p.user_id = t.user_id AND p.chargeback_reported_at < t.event_timestamp) AS known,
                   (SELECT s.chargebacks_90d FROM features.user_purchase_summary s
                     WHERE s.user_id = t.user_id ORDER BY s.event_timestamp DESC LIMIT 1) AS leaky
            FROM events.transactions t
            WHERE t.event_timestamp >= '2024-01-01' AND t.event_timestamp < '2024-07-01'
            ORDER BY t.event_timestamp, t.transaction_id
            """)
        #expect(truth.rows.count == joined.rowCount)
        let ids = try #require(joined.column("transaction_id")?.doubles)
        let chargebacks = try #require(joined.column("chargebacks_90d")?.doubles)
        var leakyExceeds = 0
        for (i, row) in truth.rows.enumerated() {
            #expect(Double(row[0]!) == ids[i])
            let known = Double(row[1]!)!
            if !chargebacks[i].isNaN { #expect(chargebacks[i] <= known, "payment \(row[0]!) sees a chargeback reported after it") }
            if let leaky = row[2].flatMap(Double.init), leaky > known { leakyExceeds += 1 }
        }
        // The data tells the joins apart: ignoring time would leak labels into many rows.
        #expect(leakyExceeds > 100)
    }

    @Test("seeding again with the same data is skipped")
    func reseed() throws {
        try Self.seedOnce()
        let connection = try TestDatabase.connect()
        let before = try #require(connection.execute("SELECT loaded_at FROM events.seed_info WHERE dataset = 'fraud'").scalar)
        try Self.seed()
        #expect(try connection.execute("SELECT loaded_at FROM events.seed_info WHERE dataset = 'fraud'").scalar == before)
    }
}
