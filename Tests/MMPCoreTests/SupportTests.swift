import Testing
@testable import MMPCore

@Suite struct SupportTests {
    @Test func durations() throws {
        #expect(try DurationParser.seconds("30s") == 30)
        #expect(try DurationParser.seconds("250ms") == 0.25)
        #expect(try DurationParser.seconds("2h") == 7200)
        #expect(try DurationParser.seconds("1h30m") == 5400)
        #expect(try DurationParser.seconds("7d") == 604800)
        #expect(try DurationParser.seconds("12") == 12)
        #expect(throws: MMPError.self) { try DurationParser.seconds("soon") }
        #expect(throws: MMPError.self) { try DurationParser.seconds("5x") }
    }

    @Test func suggestionsFindTyposButNotNonsense() {
        #expect(Suggestion.closest(to: "valuse", in: ["values", "fixed", "tunable"]) == "values")
        #expect(Suggestion.closest(to: "taget_column", in: ["target_column", "entity_columns"]) == "target_column")
        #expect(Suggestion.closest(to: "zzzzzz", in: ["values", "fixed"]) == nil)
        #expect(Suggestion.editDistance("ab", "ba") == 1)
    }

    @Test func byteCodingRoundTripsAndRejectsTruncation() throws {
        var w = ByteWriter()
        w.write(42)
        w.write(-1.5)
        w.write("héllo")
        w.write([1.0, 2.0, .infinity])
        w.write([Int32(7), -3])
        w.write(["a", "b"])
        w.write(true)
        var r = ByteReader(w.bytes)
        #expect(try r.readInt() == 42)
        #expect(try r.readDouble() == -1.5)
        #expect(try r.readString() == "héllo")
        #expect(try r.readDoubles() == [1.0, 2.0, .infinity])
        #expect(try r.readInt32s() == [7, -3])
        #expect(try r.readStrings() == ["a", "b"])
        #expect(try r.readBool() == true)
        #expect(r.isAtEnd)

        var short = ByteReader(Array(w.bytes.prefix(20)))
        _ = try short.readInt()
        _ = try short.readDouble()
        #expect(throws: MMPError.self) { try short.readString() }
    }

    @Test func timestampsParseAndFormat() throws {
        #expect(Timestamp.parse("1970-01-01") == 0)
        #expect(Timestamp.parse("2024-03-01T12:30:15Z") == 1709296215)
        #expect(Timestamp.parse("2024-03-01 12:30:15.5") == 1709296215.5)
        #expect(Timestamp.parse("2024-03-01T14:30:15+02:00") == 1709296215)
        #expect(Timestamp.parse("2024-13-01") == nil)
        #expect(Timestamp.parse("hello world") == nil)
        #expect(Timestamp.iso8601(1709296215.25) == "2024-03-01T12:30:15.250Z")
        #expect(Timestamp.iso8601(-86400) == "1969-12-31T00:00:00.000Z")
    }

    @Test func dotEnvParsing() throws {
        let parsed = try DotEnv.parse("""
        # comment
        A=1
        export B = two words
        C="quoted # not a comment"
        D='single'
        E=value # trailing comment
        """, file: ".env")
        let map = Dictionary(uniqueKeysWithValues: parsed)
        #expect(map == ["A": "1", "B": "two words", "C": "quoted # not a comment", "D": "single", "E": "value"])
        #expect(throws: MMPError.self) { try DotEnv.parse("no equals sign", file: ".env") }
    }

    @Test func scrubberRemovesSecretValuesAndURLPasswords() {
        let env = ProcessEnvironment(["POSTGRES_PASSWORD": "hunter2-secret", "HOME": "/root"])
        let s = SecretScrubber(environment: env)
        #expect(s.scrub("login failed with hunter2-secret") == "login failed with ***")
        #expect(s.scrub("redis://:pw1234@host:6379/0 down") == "redis://:***@host:6379/0 down")
        #expect(s.scrub("postgresql://mmp:abcd@db/x") == "postgresql://mmp:***@db/x")
        #expect(s.scrub("/root stays") == "/root stays")
    }

    @Test func jobPayloadRoundTripsAndRejectsGarbage() throws {
        let p = JobPayload(kind: .train, recipeName: "r", recipeFile: "recipes/r.yaml", recipeYAML: "name: r", sqlText: "select 1",
                           params: [("a", "1"), ("b", "x=y")])
        #expect(try JobPayload(text: p.json.serialized()) == p)
        #expect(throws: MMPError.self) { try JobPayload(text: "not json") }
        #expect(throws: MMPError.self) { try JobPayload(text: "{\"kind\":\"explode\"}") }
        #expect(throws: MMPError.self) { try JobPayload(text: "{\"kind\":\"train\"}") }
        #expect(throws: MMPError.self) { try JobPayload(text: "[1,2]") }
    }

    @Test func childMessagesRoundTrip() throws {
        let messages: [ChildMessage] = [.stage("fit"), .stageDone(stage: "fit", detail: "d", seconds: 1.5),
                                        .progress(stage: "fit", progress: 0.5), .result(["a": 1]),
                                        .error(kind: .sql, message: "syntax error")]
        for m in messages { #expect(try ChildMessage(line: m.line.trimmed()) == m) }
        #expect(ChildMessage.error(kind: .connection, message: "x").json["error"]?["retryable"] == .bool(true))
    }

    @Test func registryListsKnownNamesOnUnknown() throws {
        var r = Registry<Int>(role: "loader adapter")
        r.register("local_files", 1)
        r.register("postgresql", 2)
        #expect(try r.resolve("postgresql") == 2)
        let error = #expect(throws: MMPError.self) { try r.resolve("postgres") }
        #expect(error?.message.contains("did you mean 'postgresql'") == true)
        #expect(error?.message.contains("local_files, postgresql") == true)
    }
}
