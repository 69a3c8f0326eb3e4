import Foundation
import MMPConfig
import MMPCore
import MMPLearn
import MMPPostgres

/// Loader `postgresql`: runs the recipe's `.sql` file on PostgreSQL (`adapters.postgresql`) and
/// streams the result into a table.
///
/// Named parameters in the SQL (`:start_date`) take their values from `data.loader.parameters`
/// and `--param`, bound as query parameters (`$1`), never spliced into the SQL text. A `.sql.j2`
/// template's `{{ name }}` placeholders are bound the same way (`SQLTemplate`). A source that is
/// not SQL (a CSV or Parquet file) is read the way `local_files` reads it, so file recipes keep
/// working in a PostgreSQL environment.
public struct PostgresLoader: DataLoader {
    public let options: PostgresConnectionOptions
    /// Rows per FETCH: the most rows held in client memory besides the table being built.
    public let fetchSize: Int
    let files: LocalFilesLoader

    public init(options: PostgresConnectionOptions, fetchSize: Int = 10_000, csvBasePath: String = ".") {
        self.options = options
        self.fetchSize = fetchSize
        self.files = LocalFilesLoader(basePath: csvBasePath)
    }

    public init(config: AppConfig) throws {
        options = try PostgresSettings.options(config: config)
        fetchSize = try PostgresSettings.fetchSize(config: config)
        files = try LocalFilesLoader(config: config)
    }

    public func load(_ request: LoadRequest) throws -> Table {
        guard SQLSource.isSQL(request.sourceURI) else { return try files.load(request) }
        let sql = try request.sqlText ?? readSQL(request)
        let query = SQLSource.isTemplate(request.sourceURI)
            ? try SQLTemplate(sql, source: request.sourceURI).query(request.parameters)
            : try PostgresLoader.bind(sql, parameters: request.parameters, source: request.sourceURI)
        let connection = try PostgresConnection(options)
        defer { connection.close() }
        var builder = PostgresTableBuilder(source: request.sourceURI)
        try connection.stream(query, fetchSize: fetchSize, into: &builder)
        return try builder.table()
    }

    /// The SQL with each `:name` bound to its value; every name must have one.
    public static func bind(_ sql: String, parameters: JSONObject, source: String) throws -> PostgresQuery {
        let parsed = NamedParameterSQL(sql)
        let missing = parsed.names.filter { parameters[$0] == nil }
        if !missing.isEmpty {
            let list = missing.map { ":\($0)" }.joined(separator: ", ")
            let example = missing[0]
            throw MMPError(.invalidRecipe, "\(source) uses \(list) but the recipe gives no value for \(missing.count == 1 ? "it" : "them"); set data.loader.parameters.\(example) in the recipe or pass --param \(example)=VALUE")
        }
        let values = try parsed.names.map { name in
            try SQLSource.boundText(of: name, in: parameters, placeholder: ":\(name)", source: source)
        }
        return parsed.query(values: values, source: source)
    }

    private func readSQL(_ request: LoadRequest) throws -> String {
        let path = try files.resolve(request.sourceURI, recipeDirectory: request.recipeDirectory)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw MMPError.io("cannot read \(path)")
        }
        return text
    }
}

/// Reading `adapters.postgresql` from a config.
enum PostgresSettings {
    static func options(config: AppConfig, section path: String = "adapters.postgresql") throws -> PostgresConnectionOptions {
        let file = config.files.last ?? "the config"
        let section = try config.section(path)
        guard let object = section.objectValue, !object.isEmpty else {
            throw MMPError(.invalidConfig, "\(file) uses PostgreSQL but has no \(path) section (host, port, user, database, password)")
        }
        return try PostgresConnectionOptions(section: section, name: "\(file) \(path)")
    }

    static func fetchSize(config: AppConfig) throws -> Int {
        guard let value = try config.value(at: "adapters.postgresql.fetch_size"), !value.isNull else { return 10_000 }
        guard let n = value.intValue, n > 0 else {
            throw MMPError(.invalidConfig, "adapters.postgresql.fetch_size: expected a positive number of rows, found \(value.typeDescription)")
        }
        return n
    }
}
