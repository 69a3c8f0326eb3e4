import MMPCore

/// `${VAR}` and `${VAR:-default}` substitution in config strings. Defaults may themselves hold
/// `${...}`. `$$` writes a literal `$`.
enum Interpolation {
    enum Piece: Equatable {
        case text(String)
        case variable(name: String, fallback: [Piece]?)
    }

    /// What a string resolves to, or which variable it lacks.
    enum Outcome {
        case value(String, usedSecret: Bool)
        case missing(variable: String)
    }

    static func containsVariables(_ text: String) -> Bool { text.contains("${") || text.contains("$$") }

    static func parse(_ text: String) throws -> [Piece] {
        var index = text.startIndex
        return try parsePieces(text, &index, untilBrace: false)
    }

    private static func parsePieces(_ text: String, _ i: inout String.Index, untilBrace: Bool) throws -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        var depth = 0
        while i < text.endIndex {
            let c = text[i]
            if untilBrace, c == "}", depth == 0 { break }
            if c == "$" {
                let next = text.index(after: i)
                if next < text.endIndex, text[next] == "$" {
                    literal.append("$"); i = text.index(after: next); continue
                }
                if next < text.endIndex, text[next] == "{" {
                    if !literal.isEmpty { pieces.append(.text(literal)); literal = "" }
                    i = text.index(after: next)
                    var name = ""
                    while i < text.endIndex, text[i] != "}", text[i] != ":" { name.append(text[i]); i = text.index(after: i) }
                    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                        throw MMPError(.invalidConfig, "'\(text)': '${\(name)' is not a valid variable reference")
                    }
                    var fallback: [Piece]?
                    if i < text.endIndex, text[i] == ":" {
                        let dash = text.index(after: i)
                        guard dash < text.endIndex, text[dash] == "-" else {
                            throw MMPError(.invalidConfig, "'\(text)': expected ':-' after ${\(name)")
                        }
                        i = text.index(after: dash)
                        fallback = try parsePieces(text, &i, untilBrace: true)
                    }
                    guard i < text.endIndex, text[i] == "}" else {
                        throw MMPError(.invalidConfig, "'\(text)': '${\(name)' is missing its closing '}'")
                    }
                    i = text.index(after: i)
                    pieces.append(.variable(name: name, fallback: fallback))
                    continue
                }
            }
            if c == "{" { depth += 1 } else if c == "}" { depth -= 1 }
            literal.append(c)
            i = text.index(after: i)
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        return pieces
    }

    /// Resolves against the environment. `mask` replaces secret variables' values (for display).
    static func resolve(_ pieces: [Piece], in env: ProcessEnvironment, maskSecrets: Bool) -> Outcome {
        var out = ""
        var usedSecret = false
        for piece in pieces {
            switch piece {
            case .text(let t): out += t
            case .variable(let name, let fallback):
                if let value = env[name], !(value.isEmpty && fallback != nil) {
                    let secret = ProcessEnvironment.isSecretName(name)
                    usedSecret = usedSecret || secret
                    out += (maskSecrets && secret && !value.isEmpty) ? "***" : value
                } else if let fallback {
                    switch resolve(fallback, in: env, maskSecrets: maskSecrets) {
                    case .value(let v, let s): out += v; usedSecret = usedSecret || s
                    case .missing(let v): return .missing(variable: v)
                    }
                } else {
                    return .missing(variable: name)
                }
            }
        }
        return .value(out, usedSecret: usedSecret)
    }
}
