import MMPCore

/// Which recipe sources are SQL: `.sql` files (named `:parameters`) and `.sql.j2` templates
/// (`{{ name }}` placeholders, `{% if name %}` blocks), both bound as query parameters.
public enum SQLSource {
    public static func isSQL(_ uri: String) -> Bool {
        let lower = uri.lowercased()
        return lower.hasSuffix(".sql") || lower.hasSuffix(".sql.j2")
    }

    public static func isTemplate(_ uri: String) -> Bool { uri.lowercased().hasSuffix(".sql.j2") }

    /// The text a recipe parameter is bound as (`nil` is SQL NULL); both `:name` queries and `{{ name }}`
    /// templates bind through here, so a value means the same in either. `placeholder` is how the source
    /// spells the name, for the error.
    static func boundText(of name: String, in parameters: JSONObject, placeholder: String, source: String) throws -> String? {
        let value = parameters[name] ?? .null
        switch value {
        case .null: return nil
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return JSON.double(d).plainText
        case .bool(let b): return b ? "true" : "false"
        case .array, .object:
            throw MMPError(.invalidRecipe, "data.loader.parameters.\(name): expected a single value for \(placeholder) in \(source), found \(value.typeDescription)")
        }
    }
}
