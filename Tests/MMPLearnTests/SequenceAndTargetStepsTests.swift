import MMPCore
import Testing
@testable import MMPLearn

/// forward_fill, backward_fill and interpolation against pandas per entity in time order, and
/// catboost_encoder against category_encoders (scripts/reference/steps_reference.py,
/// steps_*.json); tree_based_feature_generator by what it must do.
@Suite struct SequenceAndTargetStepsTests {
    static let sequenceCases = ReferenceFixture.names(prefix: "steps_").filter { !$0.contains("catboost") }

    static func table(_ json: JSON) throws -> Table {
        var columns: [Column] = []
        for (name, values) in try #require(json.objectValue) {
            let list = values.arrayValue ?? []
            if list.contains(where: { $0.stringValue != nil }) {
                columns.append(.categorical(name, list.map(\.stringValue)))
            } else {
                columns.append(.numeric(name, list.map { $0.doubleValue ?? .nan }))
            }
        }
        return try Table(columns: columns)
    }

    static func run(_ stepJSON: JSON, on table: Table, roles: StepRoles, columns: [String]? = nil) throws -> (any FittedTransform, Table) {
        let type = try #require(stepJSON["type"]?.stringValue)
        let descriptor = try PreprocessorCatalog.require(type)
        var options = JSONObject()
        for (key, value) in try #require(stepJSON.objectValue) where key != "type" { options[key] = value }
        let (resolved, problems) = descriptor.resolve(options)
        #expect(problems.isEmpty, "\(type): \(problems)")
        let features = table.columnNames.filter { $0 != roles.target && !roles.entities.contains($0) && $0 != roles.timestamp }
        return try descriptor.make(resolved).fitTransform(table, columns: columns ?? descriptor.defaultColumns.select(in: table, among: features), roles: roles)
    }

    @Test(arguments: sequenceCases)
    func sequenceFillsMatchPandas(_ name: String) throws {
        let fixture = try ReferenceFixture.load(name)
        let input = try Self.table(try fixture.require("input"))
        let roles = StepRoles(entities: ["store"], timestamp: "day")
        let (fitted, trained) = try Self.run(try fixture.require("step"), on: input, roles: roles)
        let again = try fitted.transform(input, mode: .inference)
        for (column, expected) in try #require(fixture["expected"]?.objectValue) {
            let want = expected.arrayValue ?? []
            for output in [trained, again] {
                let got = try output.require(column)
                for (r, value) in want.enumerated() {
                    if let s = value.stringValue {
                        #expect(got.text(at: r) == s, "\(name) \(column) row \(r)")
                    } else if let d = value.doubleValue {
                        #expect(abs((got.doubles?[r] ?? .nan) - d) <= 1e-9, "\(name) \(column) row \(r): ours \(got.text(at: r)), pandas \(d)")
                    } else {
                        #expect(got.isMissing(r), "\(name) \(column) row \(r) should stay missing, ours \(got.text(at: r))")
                    }
                }
            }
        }
    }

    @Test(arguments: ["classification", "regression"])
    func catboostEncoderMatchesCategoryEncoders(_ task: String) throws {
        let fixture = try ReferenceFixture.load("steps_catboost_encoder_" + task)
        let train = try Self.table(try fixture.require("train"))
        let test = try Self.table(try fixture.require("test"))
        let roles = StepRoles(target: "target", task: MLTask(rawValue: task), seed: 1)
        let (fitted, encoded) = try Self.run(try fixture.require("step"), on: train, roles: roles, columns: ["city"])
        let trainWant = try fixture.doubles("expected_train"), testWant = try fixture.doubles("expected_test")
        let trainGot = try #require(encoded.column("city")?.doubles)
        for (r, (a, b)) in zip(trainGot, trainWant).enumerated() { #expect(abs(a - b) <= 1e-12, "\(task) train row \(r): ours \(a), category_encoders \(b)") }
        let testGot = try #require(try fitted.transform(test, mode: .inference).column("city")?.doubles)
        for (r, (a, b)) in zip(testGot, testWant).enumerated() { #expect(abs(a - b) <= 1e-12, "\(task) test row \(r): ours \(a), category_encoders \(b)") }
        // The fitted step survives the bundle codec.
        var writer = ByteWriter()
        PreprocessorCodec.encode(fitted, to: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try PreprocessorCodec.decode(from: &reader).transform(test, mode: .inference).column("city")?.doubles == testGot)
    }

    @Test func catboostEncoderGivesOneColumnPerClassAndAddsNoiseOnlyToTraining() throws {
        let train = try Table(columns: [.categorical("c", ["a", "b", "a", "c", "b", "a"]), .categorical("y", ["p", "q", "r", "p", "q", "p"])])
        let roles = StepRoles(target: "y", task: .classification)
        let (fitted, encoded) = try Self.run(.object(.of(["type": "catboost_encoder", "sigma": 0.5])), on: train, roles: roles, columns: ["c"])
        #expect(encoded.columnNames == ["c_p", "c_q", "c_r", "y"])
        let clean = try fitted.transform(train, mode: .inference)
        #expect(clean.column("c_p")?.doubles?[0] == (2 + 0.5) / 4, "category a: 2 of 3 rows p, prior 0.5, a = 1")
        #expect(throws: MMPError.self) { _ = try Self.run(.object(.of(["type": "catboost_encoder"])), on: train, roles: StepRoles(), columns: ["c"]) }
    }

    @Test func treeFeaturesReplaceTheColumnsWithLeafIndicators() throws {
        let table = try ReferenceFixture.dataset("iris.csv")
        let roles = StepRoles(target: "species", task: .classification)
        let columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
        let (fitted, out) = try Self.run(.object(.of(["type": "tree_based_feature_generator", "n_estimators": 4, "max_depth": 2])),
                                         on: table, roles: roles, columns: columns)
        let generated = out.columnNames.filter { $0.hasPrefix("treefeature_x") }
        #expect(!generated.isEmpty && generated.count <= 4 * 4)
        #expect(columns.allSatisfy { out.column($0) == nil }, "the input columns are replaced")
        for t in 0..<4 {
            // Every row lands in exactly one leaf of each tree.
            let ofTree = generated.filter { $0.hasPrefix("treefeature_x\(t)_") }.map { try! out.require($0).doubles! }
            #expect((0..<out.rowCount).allSatisfy { r in ofTree.reduce(0) { $0 + $1[r] } == 1 })
        }
        var writer = ByteWriter()
        PreprocessorCodec.encode(fitted, to: &writer)
        var reader = ByteReader(writer.bytes)
        let back = try PreprocessorCodec.decode(from: &reader).transform(table, mode: .inference)
        #expect(back.columnNames == out.columnNames)
    }
}
