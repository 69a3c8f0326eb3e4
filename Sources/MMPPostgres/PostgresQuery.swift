/// One SQL statement and its parameter values, sent with `PQexecParams`-style binding: values
/// travel separately from the text, so no value can ever change what the statement does.
public struct PostgresQuery: Sendable {
    /// The statement as sent, with `$1`, `$2`, ... placeholders.
    public var sql: String
    /// Text-format values for `$1...$n`; nil is SQL NULL. The server infers each type from its use.
    public var parameters: [String?]
    /// Where the SQL came from (`recipes/sql/fraud_events.sql`), for error messages.
    public var source: String?
    /// The text the user wrote (with `:name` parameters), which error positions point into.
    public var original: String
    /// Placeholders that replaced `:name` parameters, in order, to map server positions back.
    var substitutions: [NamedParameterSQL.Substitution]

    public init(_ sql: String, parameters: [String?] = [], source: String? = nil) {
        self.sql = sql
        self.parameters = parameters
        self.source = source
        self.original = sql
        self.substitutions = []
    }

    init(sql: String, parameters: [String?], source: String?, original: String, substitutions: [NamedParameterSQL.Substitution]) {
        self.sql = sql; self.parameters = parameters; self.source = source; self.original = original; self.substitutions = substitutions
    }

    /// The 1-based character position in `original` for a 1-based position in `sql`.
    func originalPosition(ofSent position: Int) -> Int {
        var shift = 0
        for s in substitutions {
            if position > s.sentStart + s.sentLength { shift += s.originalLength - s.sentLength; continue }
            if position > s.sentStart { return s.sentStart + shift + 1 }  // inside a placeholder: its start
            break
        }
        return position + shift
    }
}

/// SQL text with named parameters (`:start_date`) rewritten to positional placeholders (`$1`).
///
/// Only a colon outside string literals, quoted identifiers, dollar-quoted bodies, comments and
/// array subscripts, and followed by a letter or underscore, starts a parameter; `::type` casts,
/// `:=` and `'10:30'` are left alone. The same name used twice is the same placeholder.
public struct NamedParameterSQL: Sendable {
    struct Substitution: Sendable, Equatable {
        /// 0-based character offset of the placeholder in the rewritten text.
        var sentStart: Int
        var sentLength: Int
        var originalLength: Int
    }

    public let original: String
    /// The rewritten statement.
    public let sql: String
    /// Parameter names in placeholder order: `names[0]` is `$1`.
    public let names: [String]
    let substitutions: [Substitution]

    public init(_ text: String) {
        original = text
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var outCount = 0
        var names: [String] = []
        var substitutions: [Substitution] = []
        var i = 0
        var bracketDepth = 0

        func isIdentStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
        func isIdentChar(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || ("0"..."9").contains(c) || c == "$" }
        func copy(_ upTo: Int) {
            while i < upTo && i < s.count { out.append(s[i]); outCount += 1; i += 1 }
        }

        while i < s.count {
            let c = s[i]
            let next: Unicode.Scalar? = i + 1 < s.count ? s[i + 1] : nil
            switch c {
            case "'":
                // E'...' strings take backslash escapes; plain ones only doubled quotes.
                let escapes = i > 0 && (s[i - 1] == "E" || s[i - 1] == "e") && (i < 2 || !isIdentChar(s[i - 2]))
                var j = i + 1
                while j < s.count {
                    if escapes && s[j] == "\\" { j += 2; continue }
                    if s[j] == "'" {
                        if j + 1 < s.count && s[j + 1] == "'" { j += 2; continue }
                        break
                    }
                    j += 1
                }
                copy(j + 1)
            case "\"":
                var j = i + 1
                while j < s.count {
                    if s[j] == "\"" {
                        if j + 1 < s.count && s[j + 1] == "\"" { j += 2; continue }
                        break
                    }
                    j += 1
                }
                copy(j + 1)
            case "-" where next == "-":
                var j = i
                while j < s.count && s[j] != "\n" { j += 1 }
                copy(j)
            case "/" where next == "*":
                var depth = 0
                var j = i
                while j < s.count {
                    if s[j] == "/" && j + 1 < s.count && s[j + 1] == "*" { depth += 1; j += 2; continue }
                    if s[j] == "*" && j + 1 < s.count && s[j + 1] == "/" {
                        depth -= 1; j += 2
                        if depth == 0 { break }
                        continue
                    }
                    j += 1
                }
                copy(j)
            case "$" where i == 0 || !isIdentChar(s[i - 1]):
                // $tag$ ... $tag$ (tag may be empty); $1 is a positional placeholder, left as is.
                var j = i + 1
                while j < s.count && s[j] != "$" && (isIdentStart(s[j]) || (j > i + 1 && ("0"..."9").contains(s[j]))) { j += 1 }
                guard j < s.count && s[j] == "$" else { copy(i + 1); continue }
                let tag = Array(s[i...j])
                var k = j + 1
                var end = s.count
                while k + tag.count <= s.count {
                    if Array(s[k..<(k + tag.count)]) == tag { end = k + tag.count; break }
                    k += 1
                }
                copy(end)
            case "[":
                bracketDepth += 1; copy(i + 1)
            case "]":
                bracketDepth = max(0, bracketDepth - 1); copy(i + 1)
            case ":" where next == ":":
                copy(i + 2)
            case ":" where next.map(isIdentStart) == true && bracketDepth == 0:
                var j = i + 1
                while j < s.count && isIdentChar(s[j]) && s[j] != "$" { j += 1 }
                let name = String(String.UnicodeScalarView(s[(i + 1)..<j]))
                let number: Int
                if let existing = names.firstIndex(of: name) { number = existing + 1 } else { names.append(name); number = names.count }
                let placeholder = "$\(number)"
                substitutions.append(Substitution(sentStart: outCount, sentLength: placeholder.unicodeScalars.count, originalLength: j - i))
                out.append(contentsOf: placeholder.unicodeScalars)
                outCount += placeholder.unicodeScalars.count
                i = j
            default:
                copy(i + 1)
            }
        }
        sql = String(out)
        self.names = names
        self.substitutions = substitutions
    }

    /// The query with `values[k]` bound to `names[k]`.
    public func query(values: [String?], source: String?) -> PostgresQuery {
        precondition(values.count == names.count, "one value per named parameter")
        return PostgresQuery(sql: sql, parameters: values, source: source, original: original, substitutions: substitutions)
    }
}
