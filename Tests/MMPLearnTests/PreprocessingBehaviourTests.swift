import MMPCore
import Testing
@testable import MMPLearn

/// What the steps do where mmp chooses differently from, or beyond, scikit-learn: missing
/// categories, unknown categories, row dropping at prediction time, and clear errors.
@Suite struct PreprocessingBehaviourTests {
    let table = try! Table(columns: [
        .categorical("color", ["red", nil, "blue", "red"]),
        .numeric("size", [1, .nan, 3, 4]),
        .numeric("weight", [10, 20, .nan, .nan]),
    ])

    func fit(_ type: String, _ options: JSONObject = JSONObject(), columns: [String]) throws -> any FittedTransform {
        let descriptor = try PreprocessorCatalog.require(type)
        let (resolved, problems) = descriptor.resolve(options)
        try #require(problems.isEmpty, "\(problems)")
        return try descriptor.make(resolved).fit(table, columns: columns)
    }

    @Test func oneHotGivesMissingAndUnknownCategoriesAllZeros() throws {
        let step = try fit("one_hot_encoder", columns: ["color"])
        let out = try step.transform(table, mode: .training)
        #expect(out.columnNames == ["color_blue", "color_red", "size", "weight"])
        #expect(out.column("color_red")!.doubles! == [1, 0, 0, 1])
        #expect(out.column("color_blue")!.doubles! == [0, 0, 1, 0])
        let unseen = try Table(columns: [.categorical("color", ["green"]), .numeric("size", [1]), .numeric("weight", [1])])
        let encoded = try step.transform(unseen, mode: .inference)
        #expect(encoded.column("color_red")!.doubles! == [0])
        #expect(encoded.column("color_blue")!.doubles! == [0])
    }

    @Test func oneHotRefusesUnknownCategoriesWhenAskedTo() throws {
        let step = try fit("one_hot_encoder", .of(["handle_unknown": "error"]), columns: ["color"])
        let unseen = try Table(columns: [.categorical("color", ["green"]), .numeric("size", [1]), .numeric("weight", [1])])
        let error = try #require(throws: MMPError.self) { try step.transform(unseen, mode: .inference) }
        #expect(error.message.contains("'green'") && error.message.contains("color"))
    }

    @Test func dropMissingDropsTrainingRowsButNeverRowsToPredict() throws {
        let step = try fit("drop_missing", columns: ["size", "weight"])
        #expect(try step.transform(table, mode: .training).rowCount == 1)
        #expect(try step.transform(table, mode: .inference).rowCount == 4)
        let lenient = try fit("drop_missing", .of(["threshold": 0.5]), columns: ["size", "weight"])
        #expect(try lenient.transform(table, mode: .training).rowCount == 4)  // half missing is allowed
        let columns = try fit("drop_missing", .of(["axis": "columns", "threshold": 0.3]), columns: ["color", "size", "weight"])
        #expect(try columns.transform(table, mode: .inference).columnNames == ["color", "size"])
    }

    @Test func imputerIndicatorsFollowTheirColumn() throws {
        let step = try fit("simple_imputer", .of(["strategy": "median", "create_missing_indicators": true]), columns: ["size", "weight"])
        let out = try step.transform(table, mode: .inference)
        #expect(out.columnNames == ["color", "size", "size_missing", "weight", "weight_missing"])
        #expect(out.column("size")!.doubles! == [1, 3, 3, 4])
        #expect(out.column("weight_missing")!.doubles! == [0, 0, 1, 1])
    }

    @Test func clearErrorsForImpossibleSteps() throws {
        let mean = try #require(throws: MMPError.self) { try fit("simple_imputer", .of(["strategy": "mean"]), columns: ["color"]) }
        #expect(mean.message.contains("'color'") && mean.message.contains("most_frequent"))
        let scaler = try #require(throws: MMPError.self) { try fit("standard_scaler", columns: ["color"]) }
        #expect(scaler.message.contains("'color'") && scaler.message.contains("one_hot_encoder"))
        let range = try #require(throws: MMPError.self) { try fit("min_max_scaler", .of(["feature_range": [2, 1]]), columns: ["size"]) }
        #expect(range.message.contains("feature_range"))
        let fill = try #require(throws: MMPError.self) { try fit("constant_fill", columns: ["size"]) }
        #expect(fill.message.contains("fill_value"))
        // A fitted step applied to data that lacks its column names the column.
        let step = try fit("standard_scaler", columns: ["size"])
        let other = try Table(columns: [.numeric("length", [1])])
        let missing = try #require(throws: MMPError.self) { try step.transform(other, mode: .inference) }
        #expect(missing.message.contains("'size'"))
    }

    @Test func unknownOptionsAreReportedWithASuggestion() throws {
        let descriptor = try PreprocessorCatalog.require("simple_imputer")
        let (_, problems) = descriptor.resolve(.of(["stratgy": "mean"]))
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("strategy") == true)
    }

    @Test func constantFillTakesAPerColumnMap() throws {
        let step = try fit("constant_fill", .of(["fill_value": ["color": "none", "weight": -1]]), columns: ["color", "size", "weight"])
        let out = try step.transform(table, mode: .inference)
        #expect(out.column("color")!.text(at: 1) == "none")
        #expect(out.column("weight")!.doubles! == [10, 20, -1, -1])
        #expect(out.column("size")!.doubles![1].isNaN)  // not in the map: left alone
    }

    @Test func corruptSavedStepsAreRefused() throws {
        var writer = ByteWriter()
        PreprocessorCodec.encode(try fit("one_hot_encoder", columns: ["color"]), to: &writer)
        let bytes = writer.bytes
        var truncated = ByteReader(Array(bytes.prefix(bytes.count - 5)))
        #expect(throws: MMPError.self) { try PreprocessorCodec.decode(from: &truncated) }
        var w2 = ByteWriter()
        w2.write("no_such_step.v9")
        var foreign = ByteReader(w2.bytes)
        let error = try #require(throws: MMPError.self) { try PreprocessorCodec.decode(from: &foreign) }
        #expect(error.message.contains("no_such_step.v9"))
    }
}
