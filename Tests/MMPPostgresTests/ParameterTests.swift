import MMPAdapters
import MMPCore
import MMPLearn
import MMPPostgres
import MMPTestSupport
import Testing

@Suite("Named parameters")
struct NamedParameterTests {
    @Test("`:name` becomes `$n`; the same name is the same placeholder")
    func rewrite() {
        let p = NamedParameterSQL("SELECT * FROM t WHERE a >= :start AND b < :end AND c <> :start")
        #expect(p.sql == "SELECT * FROM t WHERE a >= $1 AND b < $2 AND c <> $1")
        #expect(p.names == ["start", "end"])
    }

    @Test("casts, strings, quoted identifiers, comments, dollar quotes and subscripts are not parameters")
    func notParameters() {
        let sql = """
            SELECT x::date, '10:30' AS t, E'it\\'s :not', "col:umn", $tag$ :nope $tag$, arr[1:n], f(a := 1) -- :comment
            /* :block /* :nested */ still */ FROM t WHERE d = :real
            """
        let p = NamedParameterSQL(sql)
        #expect(p.names == ["real"])
        #expect(p.sql.hasSuffix("WHERE d = $1"))
        #expect(p.sql.contains("x::date, '10:30' AS t, E'it\\'s :not', \"col:umn\", $tag$ :nope $tag$, arr[1:n], f(a := 1) -- :comment"))
    }

    @Test("a missing parameter is an error naming it and how to set it")
    func missing() throws {
        let error = try #require(caught {
            _ = try PostgresLoader.bind("SELECT * FROM e WHERE ts >= :start_date AND ts < :end_date", parameters: JSONObject([("end_date", "2024-01-01")]), source: "sql/e.sql")
        })
        #expect(error.kind == .invalidRecipe)
        #expect(error.message.contains("sql/e.sql uses :start_date"))
        #expect(error.message.contains("--param start_date=VALUE"))
        #expect(error.message.contains("data.loader.parameters.start_date"))
    }

    @Test("values of every scalar type bind, and the server infers their types")
    func bindsValues() throws {
        let table = try PostgresLoader(options: try TestDatabase.options()).load(LoadRequest(
            sourceURI: "p.sql",
            sqlText: "SELECT :d::date + 1 AS next_day, :n + 1 AS n1, :x::float8 * 2 AS x2, NOT :b AS nb, :s || '!' AS s, :missing::int IS NULL AS isnull",
            parameters: JSONObject([("d", "2024-02-28"), ("n", 41), ("x", 1.25), ("b", true), ("s", "hi"), ("missing", .null)])))
        #expect(table.column("next_day")?.doubles == [Timestamp.parse("2024-02-29")!])
        #expect(table.column("n1")?.doubles == [42])
        #expect(table.column("x2")?.doubles == [2.5])
        #expect(table.column("nb")?.doubles == [0])
        #expect(table.column("s")?.text(at: 0) == "hi!")
        #expect(table.column("isnull")?.doubles == [1])
    }

    @Test("an injection attempt in a parameter value is data, not SQL: the table survives")
    func injection() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript("""
                CREATE TABLE \(schema).victims (id int, name text);
                INSERT INTO \(schema).victims VALUES (1, 'a'), (2, 'b');
                """)
            let attack = "'; DROP TABLE \(schema).victims; --"
            let table = try PostgresLoader(options: try TestDatabase.options()).load(LoadRequest(
                sourceURI: "v.sql", sqlText: "SELECT id, name FROM \(schema).victims WHERE name = :name",
                parameters: JSONObject([("name", .string(attack))])))
            #expect(table.rowCount == 0)
            // The same text written into the SQL would have dropped the table (multi-statement scripts
            // run it); bound, it is only compared with names.
            #expect(try connection.execute("SELECT count(*) FROM \(schema).victims").scalar == "2")
            let echoed = try PostgresLoader(options: try TestDatabase.options()).load(LoadRequest(
                sourceURI: "v.sql", sqlText: "SELECT :name AS value", parameters: JSONObject([("name", .string(attack))])))
            #expect(echoed.column("value")?.text(at: 0) == attack)
        }
    }
}
