import MMPCore
import MMPLearn
import Testing
@testable import MMPPipeline

/// `RowDecoder` (the server's reader of request bodies) reads exactly what MMPCore's JSON
/// parser reads: the same cells for every key the schema names, the same refusals, and so the
/// same table or the same problems from `RowInput`.
@Suite struct RowDecoderTests {
    static let schema = RowSchema(fields: [
        .init(name: "amount", kind: .numeric, required: true, role: .feature),
        .init(name: "channel", kind: .categorical, required: true, role: .feature),
        .init(name: "seen_at", kind: .timestamp, required: false, role: .feature),
        .init(name: "user_id", kind: nil, required: true, role: .entity),
        .init(name: "ref", kind: nil, required: false, role: .entity),
    ], fromFeatureStore: ["score"])

    /// Values of every shape JSON has, and the ones Python writes.
    static func value(_ g: inout SeededGenerator) -> String {
        switch g.uniform(16) {
        case 0: return "null"
        case 1: return String(Int.random(in: -1_000_000...1_000_000, using: &g))
        case 2: return "\(Double.random(in: -1e6...1e6, using: &g))"
        case 3: return ["1e999", "-1e999", "1e-400", "12345678901234567890", "-0", "0.1", "+5", "1E3", "2.5e-3"][g.uniform(9)]
        case 4: return ["NaN", "Infinity", "-Infinity"][g.uniform(3)]
        case 5: return ["true", "false"][g.uniform(2)]
        case 6: return #""web""#
        case 7: return #""tab\tquote\"slash\/e\u00e9 smile \ud83d\ude00 back\\""#
        case 8: return #""2024-06-30T12:00:00Z""#
        case 9: return #""12.5""#
        case 10: return #"[1, {"a": [null, "x"]}, []]"#
        case 11: return #"{"nested": {"deep": [1, 2, {"k": "v"}]}}"#
        case 12: return #""""#
        case 13: return #""\ud83d\ude00 a pair""#
        default: return String(g.uniform(100))
        }
    }

    static func row(_ g: inout SeededGenerator) -> String {
        var keys = ["amount", "channel", "seen_at", "user_id", "ref", "unknown", "score", "amount"]
        keys.shuffle(using: &g)
        let members = keys.prefix(3 + g.uniform(6)).map { key -> String in
            let escaped = key == "channel" && g.uniform(4) == 0 ? #"ch\u0061nnel"# : key
            return "\(["", " ", "\n\t"][g.uniform(3)])\"\(escaped)\"\([":", " : "][g.uniform(2)])\(value(&g))"
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func describe(_ cells: RowCells) -> String {
        "\(cells.rowCount) \(cells.values.map { $0.map { $0.map { "\($0)" } ?? "absent" } }) \(cells.fromFeatureStore.map { "\($0.row):\($0.column)" })"
    }

    static func describe(_ result: Result<Table, RowInputError>) -> String {
        switch result {
        case .success(let t): return t.columns.map { c in "\(c.name):\((0..<c.count).map { c.text(at: $0) })" }.joined(separator: " ")
        case .failure(let e): return e.problems.map { "\($0.row.map(String.init) ?? "-") \($0.column ?? "-") \($0.kind) \($0.message)" }.sorted().joined(separator: "\n")
        }
    }

    @Test func readsRowsAsTheJSONParserDoes() throws {
        var g = SeededGenerator(seed: 11)
        let decoder = RowDecoder(schema: Self.schema)
        for _ in 0..<400 {
            let text = Self.row(&g)
            let generic = try JSON.parse(bytes: Array(text.utf8), allowingNonFinite: true)
            let object = try #require(generic.objectValue)
            let expected = RowCells([object], schema: Self.schema)
            let cells = try decoder.decodeOne(Array(text.utf8))
            #expect(Self.describe(cells) == Self.describe(expected), "\(text)")
            let a = Result { () throws(RowInputError) in try RowInput.table(cells, schema: Self.schema, numbered: false) }
            let b = Result { () throws(RowInputError) in try RowInput.table(expected, schema: Self.schema, numbered: false) }
            #expect(Self.describe(a) == Self.describe(b), "\(text)")
        }
    }

    @Test func readsBatchesAsTheJSONParserDoes() throws {
        var g = SeededGenerator(seed: 12)
        let decoder = RowDecoder(schema: Self.schema)
        for _ in 0..<60 {
            let rows = (0..<(1 + g.uniform(20))).map { _ in Self.row(&g) }
            let text = #"{"before": [1, {"x": 2}], "samples": ["# + rows.joined(separator: ", ") + #"], "after": "z"}"#
            let generic = try JSON.parse(bytes: Array(text.utf8), allowingNonFinite: true)
            let samples = try #require(generic["samples"]?.arrayValue)
            let objects = samples.compactMap { $0.objectValue }
            let expected = RowCells(objects, schema: Self.schema)
            let cells = try decoder.decodeBatch(Array(text.utf8))
            #expect(Self.describe(cells) == Self.describe(expected))
            let a = Result { () throws(RowInputError) in try RowInput.table(cells, schema: Self.schema, numbered: true) }
            let b = Result { () throws(RowInputError) in try RowInput.table(expected, schema: Self.schema, numbered: true) }
            #expect(Self.describe(a) == Self.describe(b))
        }
    }

    @Test(arguments: ["", "{", "{\"amount\": }", "{\"amount\" 1}", "{\"amount\": 1,}", "{\"amount\": 1} x", "[1 2]", "{\"a\": tru}",
                      "{\"a\": \"unterminated}", "{\"a\": 1-2}", "{\"a\": --1}", "{\"a\": 1e}", "{\"a\": \"bad \\q escape\"}", "{\"a\": Inf}",
                      #"{"a": "\ud800\u0041"}"#, #"{"a": "\ud800"}"#, #"{"channel": "\udc00"}"#, #"{"a": "\ud800\ud800"}"#])
    func refusesWhatTheJSONParserRefuses(_ text: String) {
        #expect(throws: MMPError.self) { try JSON.parse(bytes: Array(text.utf8), allowingNonFinite: true) }
        let decoder = RowDecoder(schema: Self.schema)
        #expect(throws: RowDecodingError.self) { try decoder.decodeOne(Array(text.utf8)) }
        if !text.isEmpty {  // `{"samples": []}` is a valid (empty) batch
            #expect(throws: RowDecodingError.self) { try decoder.decodeBatch(Array("{\"samples\": [\(text)]}".utf8)) }
        }
    }

    @Test func namesTheWrongShapes() throws {
        let decoder = RowDecoder(schema: Self.schema)
        #expect(throws: RowDecodingError.notAnObject) { try decoder.decodeOne(Array("[1]".utf8)) }
        #expect(throws: RowDecodingError.noSamples) { try decoder.decodeBatch(Array(#"{"rows": []}"#.utf8)) }
        #expect(throws: RowDecodingError.noSamples) { try decoder.decodeBatch(Array(#"{"samples": {"a": 1}}"#.utf8)) }
        #expect(throws: RowDecodingError.samplesNotObjects([1, 3])) { try decoder.decodeBatch(Array(#"{"samples": [{}, 2, {}, "x"]}"#.utf8)) }
        #expect(try decoder.decodeBatch(Array(#"{"samples": []}"#.utf8)).rowCount == 0)
    }
}
