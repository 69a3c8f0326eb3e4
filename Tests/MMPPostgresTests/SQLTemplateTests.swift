import Foundation
import MMPAdapters
import MMPConfig
import MMPCore
import MMPLearn
import MMPPostgres
import MMPTestSupport
import Testing

@Suite("SQL templates (.sql.j2)")
struct SQLTemplateTests {
    func render(_ text: String, _ parameters: JSONObject) throws -> PostgresQuery {
        try SQLTemplate(text, source: "q.sql.j2").query(parameters)
    }

    @Test("{{ name }} becomes a bound $n; a quoted '{{ name }}' takes the literal's place; the same name is the same $n")
    func placeholders() throws {
        let q = try render("SELECT * FROM t WHERE d >= '{{ start }}' AND d < {{ end }} AND e <> {{start}} -- {{ start }} stays a comment",
                           JSONObject([("start", "2024-01-01"), ("end", "2024-02-01")]))
        #expect(q.sql == "SELECT * FROM t WHERE d >= $1 AND d < $2 AND e <> $1 -- {{ start }} stays a comment")
        #expect(q.parameters == ["2024-01-01", "2024-02-01"])
    }

    @Test("{% if name %} blocks keep their text only when the parameter is set and truthy")
    func conditionals() throws {
        let text = """
            SELECT id FROM t
            WHERE true
            {% if country %}AND country = {{ country }}{% endif %}
            {% if recent %}AND ts > now() - interval '7 days'{% if limit_rows %} LIMIT {{ limit_rows }}{% endif %}{% endif %}
            """
        let all = try render(text, JSONObject([("country", "FR"), ("recent", true), ("limit_rows", 10)]))
        #expect(all.sql.contains("AND country = $1"))
        #expect(all.sql.contains("LIMIT $2"))
        #expect(all.parameters == ["FR", "10"])
        let none = try render(text, JSONObject([("country", ""), ("recent", false)]))
        #expect(!none.sql.contains("country ="))
        #expect(!none.sql.contains("interval"))
        #expect(none.parameters.isEmpty)
    }

    @Test("anything else Jinja-like is an error naming its line", arguments: [
        ("SELECT 1\nWHERE d = '{{ start | default(\"x\") }}'", "line 2"),
        ("SELECT 1\n\n{% for x in xs %}{{ x }}{% endfor %}", "line 3"),
        ("{% if a %}1{% else %}2{% endif %}", "line 1"),
        ("SELECT 1 {# note #}", "line 1"),
        ("SELECT {{ a.b }}", "line 1"),
        ("SELECT 1\n{% if a %}\nx", "line 2"),
        ("SELECT {{ a ", "line 1"),
        ("{%- if a %}x{% endif %}", "line 1"),
    ])
    func unsupported(_ text: String, _ line: String) {
        let error = caught { _ = try render(text, JSONObject([("a", 1), ("start", "s"), ("xs", 1)])) }
        #expect(error?.message.contains("q.sql.j2: \(line):") == true, "\(error?.message ?? "no error")")
    }

    @Test("a placeholder that cannot be one bound value is an error, never spliced text")
    func notValues() {
        let partial = caught { _ = try render("SELECT * FROM t WHERE name LIKE '%{{ p }}%'", JSONObject([("p", "x")])) }
        #expect(partial?.message.contains("inside a longer string literal") == true)
        let table = caught { _ = try render("SELECT * FROM {{ source_table }}", JSONObject([("source_table", "users")])) }
        #expect(table?.message.contains("table name") == true)
        let identifier = caught { _ = try render("SELECT \"{{ c }}\" FROM t", JSONObject([("c", "x")])) }
        #expect(identifier?.message.contains("quoted identifier") == true)
        let missing = caught { _ = try render("SELECT {{ a }}, {{ b }}", JSONObject([("a", 1)])) }
        #expect(missing?.message.contains("--param b=VALUE") == true)
    }

    @Test("an injection attempt through a template parameter is data: the table survives")
    func injection() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript("""
                CREATE TABLE \(schema).victims (id int, name text);
                INSERT INTO \(schema).victims VALUES (1, 'a'), (2, 'b');
                """)
            let attack = "x'; DROP TABLE \(schema).victims; --"
            let loader = PostgresLoader(options: try TestDatabase.options())
            // Written the way Jinja users quote text, which Jinja itself would splice verbatim.
            let table = try loader.load(LoadRequest(
                sourceURI: "v.sql.j2", sqlText: "SELECT id, name FROM \(schema).victims WHERE name = '{{ name }}'{% if name %} OR name = {{ name }}{% endif %}",
                parameters: JSONObject([("name", .string(attack))])))
            #expect(table.rowCount == 0)
            #expect(try connection.execute("SELECT count(*) FROM \(schema).victims").scalar == "2")
            let echoed = try loader.load(LoadRequest(sourceURI: "v.sql.j2", sqlText: "SELECT '{{ name }}' AS value",
                                                     parameters: JSONObject([("name", .string(attack))])))
            #expect(echoed.column("value")?.text(at: 0) == attack)
        }
    }

    /// The template of the Python tool's project README ("SQL 파일 사용 시 Jinja2 템플릿을 지원합니다"),
    /// as written there, with its parameters given the way `--param` gives them.
    @Test("a template from the Python tool's documentation runs unchanged, its values from --param")
    func documentationTemplate() throws {
        let template = """
            -- queries/train_data.sql.j2
            SELECT user_id, feature_1, feature_2, target
            FROM my_table
            WHERE created_at BETWEEN '{{ data_interval_start }}' AND '{{ data_interval_end }}'
            """
        // A database of its own, so the template's unqualified `my_table` is this test's table.
        let admin = try TestDatabase.connect()
        let database = "t_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try admin.execute("CREATE DATABASE \(database)")
        defer {
            _ = try? admin.execute("DROP DATABASE \(database) WITH (FORCE)")
            admin.close()
        }
        var options = try TestDatabase.options()
        options.database = database
        let setup = try PostgresConnection(options)
        try setup.executeScript("""
            CREATE TABLE my_table (user_id int, feature_1 float8, feature_2 text, target int, created_at timestamp);
            INSERT INTO my_table VALUES
              (1, 0.5, 'a', 1, '2024-12-31 23:00'), (2, 1.5, 'b', 0, '2025-01-10'), (3, 2.5, 'a', 1, '2025-01-20'),
              (4, 3.5, 'c', 0, '2025-02-02');
            """)
        setup.close()
        let directory = NSTemporaryDirectory() + "mmp-template-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try template.write(toFile: "\(directory)/train_data.sql.j2", atomically: true, encoding: .utf8)
        let recipe = try RecipeLoader.decode(try YAMLDocument(path: "\(directory)/r.yaml", text: """
            name: docs_template
            task_choice: classification
            model: {class_path: sklearn.linear_model.LogisticRegression, hyperparameters: {values: {C: 1.0}}}
            data:
              loader: {source_uri: train_data.sql.j2}
              data_interface: {target_column: target, entity_columns: [user_id]}
              split: {train: 0.5, validation: 0, test: 0.5}
            """), overrides: try RecipeLoader.parseParams(["data_interval_start=2025-01-01", "data_interval_end=2025-01-31"]))
        #expect(recipe.data.loader.isSQL)
        // The loader reads the template file itself (no SQL text carried), as `mmp train` does.
        let table = try PostgresLoader(options: options, csvBasePath: directory).load(LoadRequest(
            sourceURI: recipe.data.loader.sourceURI, parameters: recipe.data.loader.parameters, recipeDirectory: directory))
        #expect(table.columnNames == ["user_id", "feature_1", "feature_2", "target"])
        #expect(table.column("user_id")?.doubles == [2, 3])
    }
}
