import Testing
@testable import MMPCore

@Suite struct JSONTests {
    @Test func roundTripsEveryKindAndKeepsKeyOrder() throws {
        let value: JSON = ["z": 1, "a": [true, false, nil], "m": ["x": 1.5, "s": "quote \" and \\ and \n and é"]]
        let text = value.serialized()
        #expect(text.hasPrefix("{\"z\":1,\"a\""))
        let back = try JSON.parse(text)
        #expect(back == value)
        #expect(back.objectValue?.keys == ["z", "a", "m"])
        #expect(try JSON.parse(value.prettySerialized()) == value)
    }

    @Test func parsesUnicodeEscapesAndNumbers() throws {
        #expect(try JSON.parse(#""\u00e9\ud83d\ude00""#) == .string("é😀"))
        #expect(try JSON.parse("-12") == .int(-12))
        #expect(try JSON.parse("1e3") == .double(1000))
        #expect(try JSON.parse("0.25") == .double(0.25))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"unterminated", "{\"a\":1} x", "[1 2]"])
    func rejectsMalformedText(_ text: String) {
        #expect(throws: MMPError.self) { try JSON.parse(text) }
    }

    @Test func readsPythonsNonFiniteLiteralsOnlyWhenAsked() throws {
        let text = #"{"a": NaN, "b": Infinity, "c": -Infinity, "d": -1.5}"#
        #expect(throws: MMPError.self) { try JSON.parse(text) }
        let json = try JSON.parse(bytes: Array(text.utf8), allowingNonFinite: true)
        #expect(json["a"]?.doubleValue?.isNaN == true)
        #expect(json["b"]?.doubleValue == .infinity)
        #expect(json["c"]?.doubleValue == -.infinity)
        #expect(json["d"]?.doubleValue == -1.5)
        #expect(throws: MMPError.self) { try JSON.parse(bytes: Array("[Inf]".utf8), allowingNonFinite: true) }
    }

    /// Issue 9, defect 7: a high surrogate followed by another escape trapped (integer underflow).
    @Test(arguments: [#""\ud800\u0041""#, #""\ud800\ud800""#, #""\ud800x""#, #""\ud800""#, #""\udc00""#, #"["\ud83d\u0022"]"#])
    func unpairedSurrogatesAreErrorsNotTraps(_ text: String) {
        let error = #expect(throws: MMPError.self) { try JSON.parse(text) }
        #expect(error?.message.contains("surrogate") == true)
    }

    @Test func nonFiniteNumbersSerializeAsNull() {
        #expect(JSON.double(.nan).serialized() == "null")
    }

    @Test func mergeIsDeepAndOverlayWins() {
        let base: JSON = ["a": ["x": 1, "y": 2], "b": 1]
        let top: JSON = ["a": ["y": 3, "z": 4], "c": 5]
        let merged = base.merged(with: top)
        #expect(merged == ["a": ["x": 1, "y": 3, "z": 4], "b": 1, "c": 5])
        #expect(merged.value(atPath: "a.z") == .int(4))
    }

    @Test func infersCommandLineScalars() {
        #expect(JSON.inferred(from: "3") == .int(3))
        #expect(JSON.inferred(from: "0.5") == .double(0.5))
        #expect(JSON.inferred(from: "true") == .bool(true))
        #expect(JSON.inferred(from: "2024-01-01") == .string("2024-01-01"))
        #expect(JSON.inferred(from: "[1,2]") == .array([1, 2]))
        #expect(JSON.inferred(from: "0042") == .string("0042"))
        #expect(JSON.inferred(from: "0") == .int(0))
        #expect(JSON.inferred(from: "0.5") == .double(0.5))
    }
}
