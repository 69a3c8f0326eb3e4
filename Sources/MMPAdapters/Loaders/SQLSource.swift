/// Which recipe sources are SQL: `.sql` files (named `:parameters`) and `.sql.j2` templates
/// (`{{ name }}` placeholders, `{% if name %}` blocks), both bound as query parameters.
public enum SQLSource {
    public static func isSQL(_ uri: String) -> Bool {
        let lower = uri.lowercased()
        return lower.hasSuffix(".sql") || lower.hasSuffix(".sql.j2")
    }

    public static func isTemplate(_ uri: String) -> Bool { uri.lowercased().hasSuffix(".sql.j2") }
}
