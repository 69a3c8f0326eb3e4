import MMPCore
import Testing
@testable import MMPLearn

/// Each preprocessing step against the scikit-learn transformer (pandas where sklearn has none)
/// on a small table with missing values and unseen categories: column names, order and values.
@Suite struct PreprocessingReferenceTests {
    static let cases = ReferenceFixture.names(prefix: "preprocessing_")

    /// Steps checked by what they must do rather than against a library's output (a random
    /// forest's leaves: scikit-learn's trees are not ours), with the test that does it.
    static let behaviourOnly = ["tree_based_feature_generator": "SequenceAndTargetStepsTests.treeFeaturesReplaceTheColumnsWithLeafIndicators"]

    @Test func everyStepHasAFixture() {
        // preprocessing_*.json (scikit-learn) and steps_*.json (pandas, category_encoders).
        let names = Self.cases + ReferenceFixture.names(prefix: "steps_")
        let covered = Set(names.compactMap { name in try? ReferenceFixture.load(name)["step"]?["type"]?.stringValue ?? nil })
            .union(Self.behaviourOnly.keys)
        for descriptor in PreprocessorCatalog.all {
            #expect(covered.contains(descriptor.name), "no scikit-learn fixture for \(descriptor.name)")
        }
    }

    @Test(arguments: cases)
    func matchesScikitLearn(_ name: String) throws {
        let fixture = try ReferenceFixture.load(name)
        let tolerance = try fixture.double("tolerance")
        let train = try CSVReader(source: "train").read(try #require(fixture["train_csv"]?.stringValue))
        let test = try CSVReader(source: "test").read(try #require(fixture["test_csv"]?.stringValue))
        let step = try fixture.require("step")
        let fitted = try PreprocessingHarness.fit(step, on: train)
        // A step must survive the bundle: every comparison runs on the decoded copy.
        let restored = try PreprocessingHarness.roundTrip(fitted)
        try expectTable(try restored.transform(train, mode: .training), equals: try fixture.require("train_output"), tolerance, "\(name) train")
        try expectTable(try restored.transform(test, mode: .inference), equals: try fixture.require("test_output"), tolerance, "\(name) test")
    }

    private func expectTable(_ table: Table, equals expected: JSON, _ tolerance: Double, _ label: String) throws {
        let columns = try #require(expected.arrayValue)
        #expect(table.columnNames == columns.compactMap { $0["name"]?.stringValue }, "\(label): column names and order")
        for c in columns {
            let name = try #require(c["name"]?.stringValue)
            guard let column = table.column(name) else { continue }
            let values = try #require(c["values"]?.arrayValue)
            try #require(values.count == column.count, "\(label): \(name) has \(column.count) rows, scikit-learn \(values.count)")
            for (row, want) in values.enumerated() {
                if let text = want.stringValue {
                    #expect(column.text(at: row) == text, "\(label): \(name)[\(row)] ours '\(column.text(at: row))', expected '\(text)'")
                } else if let number = want.doubleValue {
                    let got = column.doubles?[row] ?? .nan
                    #expect(abs(got - number) <= tolerance * max(1, abs(number)), "\(label): \(name)[\(row)] ours \(got), scikit-learn \(number)")
                } else {
                    #expect(column.isMissing(row), "\(label): \(name)[\(row)] should be missing, ours '\(column.text(at: row))'")
                }
            }
        }
    }
}

/// Fits a step from a fixture's `{type, columns, options}` the way the pipeline does.
enum PreprocessingHarness {
    static func fit(_ step: JSON, on table: Table) throws -> any FittedTransform {
        let descriptor = try PreprocessorCatalog.require(try #require(step["type"]?.stringValue))
        let (options, problems) = descriptor.resolve(step["options"]?.objectValue ?? JSONObject())
        #expect(problems.isEmpty, "\(problems)")
        let columns: [String]
        if let listed = step["columns"]?.arrayValue {
            columns = listed.compactMap(\.stringValue)
        } else {
            columns = table.columns.filter { column in
                switch descriptor.defaultColumns {
                case .numeric: return column.kind == .numeric
                case .categorical: return column.kind == .categorical
                case .all: return true
                }
            }.map(\.name)
        }
        return try descriptor.make(options).fit(table, columns: columns)
    }

    static func roundTrip(_ step: any FittedTransform) throws -> any FittedTransform {
        var writer = ByteWriter()
        PreprocessorCodec.encode(step, to: &writer)
        var reader = ByteReader(writer.bytes)
        let decoded = try PreprocessorCodec.decode(from: &reader)
        #expect(reader.isAtEnd)
        return decoded
    }
}
