import Foundation
import MMPAdapters
import MMPArtifacts
import MMPCore
import MMPLearn
import Testing
@testable import MMPPipeline

/// The rows `mmp serve` receives as JSON become the same table a CSV gives `mmp predict`, so
/// the same preprocessing and model give the same doubles, bit for bit.
@Suite struct RowInputTests {
    static func bundle(_ recipe: String) throws -> (ModelBundle, String) {
        let root = try temporaryDirectory()
        let result = try TrainPipeline(config: localConfig(artifactRoot: root)).run(TrainingInput(recipe: try loadRecipe(recipe)))
        let bytes = try FilesystemStorage(root: root).fetch(result.artifact.uri)
        return (try BundleCodec.decode(bytes), root)
    }

    /// A CSV's rows as a client would send them: numbers, text, null for empty cells.
    static func jsonRows(_ table: Table) -> [JSONObject] {
        (0..<table.rowCount).map { r in
            JSONObject(table.columns.map { c in
                if c.isMissing(r) { return (c.name, JSON.null) }
                if case .numeric(let v) = c.values { return (c.name, .double(v[r])) }
                return (c.name, .string(c.text(at: r)))
            })
        }
    }

    @Test(arguments: ["churn_logistic", "house_prices_ridge"])
    func jsonRowsPredictLikeTheCSV(_ recipe: String) throws {
        let (bundle, root) = try Self.bundle(recipe)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let csv = try CSVReader().read(bytes: [UInt8](FileManager.default.contents(atPath: "\(repoRoot)/data/\(recipe == "churn_logistic" ? "customers" : "houses").csv")!))
        let expected = try PredictPipeline.predict(bundle, input: csv)
        let rows = Self.jsonRows(csv)
        // The whole file at once, and row by row (how /predict sees them).
        let table = try RowInput.table(rows, schema: RowSchema(bundle: bundle), numbered: true)
        let batch = try PredictPipeline.predict(bundle, input: table)
        #expect(batch.columnNames == expected.columnNames)
        for name in expected.columnNames where name != bundle.entityColumns.first {
            #expect(batch.column(name)?.doubles == expected.column(name)?.doubles, "\(name)")
        }
        let predicted = try #require(expected.column("prediction")?.doubles)
        for r in stride(from: 0, to: rows.count, by: 97) {
            let one = try PredictPipeline.predict(bundle, input: try RowInput.table([rows[r]], schema: RowSchema(bundle: bundle), numbered: false))
            #expect(one.column("prediction")?.doubles?.first == predicted[r], "row \(r)")
            if let p = expected.column("probability_1")?.doubles { #expect(one.column("probability_1")?.doubles?.first == p[r]) }
        }
    }

    @Test func everyProblemIsNamedByRowAndColumn() throws {
        let (bundle, root) = try Self.bundle("house_prices_ridge")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let schema = RowSchema(bundle: bundle)
        #expect(schema.requiredNames == ["lot_area", "year_built", "total_rooms", "garage_area", "distance_center", "noise_feature", "neighborhood"])
        #expect(schema.fields.last == RowSchema.Field(name: "house_id", kind: nil, required: false, role: .entity))
        let good = JSONObject([("lot_area", 0.5), ("year_built", 0.2), ("total_rooms", "0.4"), ("garage_area", .null),
                               ("distance_center", 1), ("noise_feature", 0.1), ("neighborhood", "west")])
        #expect(try RowInput.table([good], schema: schema, numbered: false).rowCount == 1)
        var bad = good
        bad["lot_area"] = nil
        bad["year_built"] = "old"
        bad["total_rooms"] = .double(.infinity)
        bad["neighborhood"] = [1, 2]
        let error = try #require(throws: RowInputError.self) { try RowInput.table([good, bad], schema: schema, numbered: true) }
        #expect(error.problems.map(\.kind) == [.missingColumn, .notNumeric, .nonFinite, .notAScalar])
        #expect(error.problems.map(\.column) == ["lot_area", "year_built", "total_rooms", "neighborhood"])
        #expect(error.problems.allSatisfy { $0.row == 1 })
    }
}
