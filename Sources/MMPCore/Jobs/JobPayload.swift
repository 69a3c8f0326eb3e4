/// What a queued job asks a worker to do. Built by `mmp submit`, stored in the job record,
/// handed by the supervisor to its `mmp run-job` child on stdin (as JSON).
///
/// It carries the recipe's text and its SQL file's text, never a config: the worker's own
/// `APP_ENV` decides the infrastructure (design §1).
public struct JobPayload: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Train a recipe.
        case train
        /// Does nothing; run inside the supervisor, without a child (queue benchmarks).
        case noop
        /// Exercises the worker itself: sleeps, fails or crashes on purpose (`action`, `seconds`).
        /// Used by the fault tests and `mmp-worker --self-test`; never by recipes.
        case diagnostic
    }

    public var kind: Kind
    public var recipeName: String
    /// The recipe's path when submitted (for messages and relative paths).
    public var recipeFile: String
    public var recipeYAML: String
    public var sqlText: String?
    /// `--param key=value` overrides, in order.
    public var params: [(String, String)]
    /// Options of diagnostic jobs (`action`: sleep | fail | crash; `seconds`); of train jobs,
    /// `register` and `register_alias` (`mmp submit --register NAME --alias ALIAS`).
    public var options: JSONObject

    public init(kind: Kind, recipeName: String = "", recipeFile: String = "", recipeYAML: String = "", sqlText: String? = nil,
                params: [(String, String)] = [], options: JSONObject = JSONObject()) {
        self.kind = kind; self.recipeName = recipeName; self.recipeFile = recipeFile; self.recipeYAML = recipeYAML
        self.sqlText = sqlText; self.params = params; self.options = options
    }

    public static func == (a: JobPayload, b: JobPayload) -> Bool { a.json == b.json }

    public var json: JSON {
        var o = JSONObject()
        o["kind"] = .string(kind.rawValue)
        if kind == .train {
            o["recipe_name"] = .string(recipeName)
            o["recipe_file"] = .string(recipeFile)
            o["recipe_yaml"] = .string(recipeYAML)
            o["sql_text"] = sqlText.map(JSON.string) ?? .null
            o["params"] = .array(params.map { .array([.string($0.0), .string($0.1)]) })
        }
        if !options.isEmpty { o["options"] = .object(options) }
        return .object(o)
    }

    /// Reads a payload; a malformed one is an error saying what is wrong (the job goes to dead).
    public init(json: JSON) throws {
        guard case .object(let o) = json else { throw MMPError.invalidInput("job payload is not a JSON object") }
        guard let kindText = o["kind"]?.stringValue else { throw MMPError.invalidInput("job payload has no 'kind'") }
        guard let kind = Kind(rawValue: kindText) else {
            throw MMPError.invalidInput("job payload kind '\(kindText)' is unknown (known: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.kind = kind
        options = o["options"]?.objectValue ?? JSONObject()
        recipeName = o["recipe_name"]?.stringValue ?? ""
        recipeFile = o["recipe_file"]?.stringValue ?? ""
        recipeYAML = o["recipe_yaml"]?.stringValue ?? ""
        sqlText = o["sql_text"]?.stringValue
        var params: [(String, String)] = []
        for item in o["params"]?.arrayValue ?? [] {
            guard let pair = item.arrayValue, pair.count == 2, let k = pair[0].stringValue, let v = pair[1].stringValue else {
                throw MMPError.invalidInput("job payload params must be [key, value] pairs of text")
            }
            params.append((k, v))
        }
        self.params = params
        if kind == .train, recipeYAML.isEmpty { throw MMPError.invalidInput("train job payload has no recipe_yaml") }
    }

    public init(text: String) throws { try self.init(json: try JSON.parse(text)) }
}
