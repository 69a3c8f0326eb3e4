import MMPCore
import MMPPostgres

/// A `.sql.j2` source, as the Python tool writes them, made safe: `{{ name }}` placeholders
/// become bound query parameters (`$1`, never text spliced into the SQL) and
/// `{% if name %}...{% endif %}` blocks keep their text when the parameter is set and truthy.
/// Anything else that looks like Jinja (filters, `{% for %}`, `{% else %}`, `{# #}`, ...) is an
/// error naming its line, so a template never runs with a part silently ignored.
///
/// Placeholders written inside quotes for Jinja's text splicing (`'{{ start_date }}'`) take the
/// whole quoted literal's place: PostgreSQL infers the parameter's type from its use, as it did
/// the literal's. A placeholder inside a longer string, in a quoted identifier or where a table
/// name goes is an error: a parameter is always one value.
public struct SQLTemplate: Sendable {
    enum Piece: Sendable {
        case text(String, line: Int)
        case placeholder(String, line: Int)
        case block(name: String, line: Int, body: [Piece])
    }

    public let source: String
    let pieces: [Piece]

    /// Parses the template; syntax errors name the source and line.
    public init(_ text: String, source: String) throws {
        self.source = source
        var parser = SQLTemplateParser(text, source: source)
        pieces = try parser.parse()
    }

    /// Names used in `{{ }}` (each must have a value) and in `{% if %}` (may be absent).
    public var placeholderNames: [String] { Self.names(in: pieces, blocks: false) }

    private static func names(in pieces: [Piece], blocks: Bool) -> [String] {
        var out: [String] = []
        for piece in pieces {
            switch piece {
            case .text: break
            case .placeholder(let name, _): if !blocks, !out.contains(name) { out.append(name) }
            case .block(let name, _, let body):
                if blocks, !out.contains(name) { out.append(name) }
                for n in names(in: body, blocks: blocks) where !out.contains(n) { out.append(n) }
            }
        }
        return out
    }

    /// The query for these parameter values (recipe defaults with `--param` applied).
    public func query(_ parameters: JSONObject) throws -> PostgresQuery {
        var kept: [Piece] = []
        Self.flatten(pieces, parameters, into: &kept)
        let used = Self.names(in: kept, blocks: false)
        let missing = used.filter { parameters[$0] == nil }
        if !missing.isEmpty {
            let example = missing[0]
            throw MMPError(.invalidRecipe, "\(source) uses {{ \(missing.joined(separator: " }}, {{ ")) }} but the recipe gives no value for \(missing.count == 1 ? "it" : "them"); set data.loader.parameters.\(example) in the recipe or pass --param \(example)=VALUE")
        }
        var renderer = SQLTemplateRenderer(source: source)
        for piece in kept {
            switch piece {
            case .text(let text, _): renderer.append(text)
            case .placeholder(let name, let line): try renderer.placeholder(name, line: line)
            case .block: break
            }
        }
        let sql = try renderer.finish()
        let values = try renderer.names.map { name in
            try SQLSource.boundText(of: name, in: parameters, placeholder: "{{ \(name) }}", source: source)
        }
        return PostgresQuery(sql, parameters: values, source: source)
    }

    /// Text and placeholders of the blocks whose condition holds, in order.
    private static func flatten(_ pieces: [Piece], _ parameters: JSONObject, into out: inout [Piece]) {
        for piece in pieces {
            if case .block(let name, _, let body) = piece {
                if truthy(parameters[name]) { flatten(body, parameters, into: &out) }
            } else {
                out.append(piece)
            }
        }
    }

    /// Jinja's truthiness: absent, null, false, 0, "" and empty lists are false.
    static func truthy(_ value: JSON?) -> Bool {
        switch value {
        case nil, .null?: return false
        case .bool(let b)?: return b
        case .int(let i)?: return i != 0
        case .double(let d)?: return d != 0
        case .string(let s)?: return !s.isEmpty
        case .array(let a)?: return !a.isEmpty
        case .object(let o)?: return !o.isEmpty
        }
    }
}
