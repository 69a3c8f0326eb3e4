import MMPCore

/// Writes the kept text of a template as SQL, tracking where it is lexically (a string literal,
/// a quoted identifier, a comment) so each placeholder is bound where a value may stand.
struct SQLTemplateRenderer {
    enum State { case code, string(escapes: Bool, start: Int), identifier, lineComment, blockComment(depth: Int), dollar(tag: String) }

    let source: String
    private(set) var sql: [Character] = []
    private(set) var names: [String] = []
    private var state = State.code
    /// A placeholder that took a quoted literal's place: its closing quote must come next.
    private var pendingClose: (line: Int, name: String)?

    init(source: String) { self.source = source }

    private func error(_ message: String, _ line: Int) -> MMPError {
        MMPError(.invalidRecipe, "\(source): line \(line): \(message)")
    }

    mutating func append(_ text: String) {
        var chars = Array(text)
        if let pending = pendingClose {
            // Drop the literal's closing quote (a doubled quote would be an escape, not a close).
            if chars.first == "'", chars.count < 2 || chars[1] != "'" {
                chars.removeFirst()
                pendingClose = nil
            } else {
                failure = error("'{{ \(pending.name) }}' must be the whole quoted literal to be bound; write '{{ \(pending.name) }}' alone between the quotes, or build the text in SQL ('%' || {{ \(pending.name) }} || '%')", pending.line)
                pendingClose = nil
            }
        }
        var k = 0
        while k < chars.count {
            let c = chars[k]
            let next: Character? = k + 1 < chars.count ? chars[k + 1] : nil
            switch state {
            case .code:
                if c == "'" {
                    let escapes = (sql.last == "E" || sql.last == "e") && !isIdentifierCharacter(sql.dropLast().last)
                    state = .string(escapes: escapes, start: sql.count)
                } else if c == "\"" {
                    state = .identifier
                } else if c == "-", next == "-" {
                    state = .lineComment
                } else if c == "/", next == "*" {
                    state = .blockComment(depth: 1)
                    sql.append(c); sql.append(next!); k += 2; continue
                } else if c == "$", let tag = dollarTag(chars, k) {
                    state = .dollar(tag: tag)
                    sql.append(contentsOf: tag); k += tag.count; continue
                }
            case .string(let escapes, _):
                if escapes, c == "\\" {
                    sql.append(c)
                    if let next { sql.append(next) }
                    k += 2
                    continue
                }
                if c == "'" {
                    if next == "'" { sql.append(c); sql.append(c); k += 2; continue }
                    state = .code
                }
            case .identifier:
                if c == "\"" {
                    if next == "\"" { sql.append(c); sql.append(c); k += 2; continue }
                    state = .code
                }
            case .lineComment:
                if c == "\n" { state = .code }
            case .blockComment(let depth):
                if c == "*", next == "/" {
                    state = depth == 1 ? .code : .blockComment(depth: depth - 1)
                    sql.append(c); sql.append(next!); k += 2; continue
                }
                if c == "/", next == "*" {
                    state = .blockComment(depth: depth + 1)
                    sql.append(c); sql.append(next!); k += 2; continue
                }
            case .dollar(let tag):
                if c == "$", k + tag.count <= chars.count, String(chars[k..<k + tag.count]) == tag {
                    state = .code
                    sql.append(contentsOf: tag); k += tag.count; continue
                }
            }
            sql.append(c)
            k += 1
        }
    }

    private var failure: MMPError?

    mutating func placeholder(_ name: String, line: Int) throws {
        if let failure { throw failure }
        if let pending = pendingClose {
            throw error("'{{ \(pending.name) }}' must be the whole quoted literal to be bound", pending.line)
        }
        let number: Int
        if let existing = names.firstIndex(of: name) { number = existing + 1 } else {
            names.append(name)
            number = names.count
        }
        switch state {
        case .code:
            if let keyword = precedingKeyword(), ["FROM", "JOIN", "INTO", "UPDATE", "TABLE"].contains(keyword) {
                throw error("{{ \(name) }} stands where a table name goes (after \(keyword)); placeholders are bound as values, never spliced into the SQL, so they cannot name tables or columns — write the name in the template", line)
            }
            sql.append(contentsOf: "$\(number)")
        case .string(_, let start):
            guard sql.count == start + 1 else {
                throw error("{{ \(name) }} is inside a longer string literal; a bound parameter is one whole value: write '{{ \(name) }}' alone between the quotes, or build the text in SQL ('%' || {{ \(name) }} || '%')", line)
            }
            // '{{ name }}' → $n: drop the opening quote now, the closing one when it comes.
            sql.removeLast()
            state = .code
            pendingClose = (line, name)
            sql.append(contentsOf: "$\(number)")
        case .identifier:
            throw error("{{ \(name) }} is inside a quoted identifier; placeholders are bound as values and cannot name tables or columns", line)
        case .lineComment, .blockComment:
            // Jinja would fill it in; in a comment it changes nothing the server runs.
            if names.last == name, number == names.count { names.removeLast() }
            sql.append(contentsOf: "{{ \(name) }}")
        case .dollar:
            throw error("{{ \(name) }} is inside a dollar-quoted string; a bound parameter is one whole value", line)
        }
    }

    mutating func finish() throws -> String {
        if let failure { throw failure }
        if let pending = pendingClose {
            throw error("'{{ \(pending.name) }}' is never closed by its quote", pending.line)
        }
        return String(sql)
    }

    private func isIdentifierCharacter(_ c: Character?) -> Bool {
        guard let c else { return false }
        return c == "_" || c.isLetter || c.isNumber
    }

    /// `$tag$` starting at `k` (a dollar-quoted string), not `$1`.
    private func dollarTag(_ chars: [Character], _ k: Int) -> String? {
        var j = k + 1
        while j < chars.count, chars[j] == "_" || chars[j].isLetter || (j > k + 1 && chars[j].isNumber) { j += 1 }
        guard j < chars.count, chars[j] == "$", !isIdentifierCharacter(sql.last) else { return nil }
        return String(chars[k...j])
    }

    /// The word before the placeholder, upper-cased (whitespace skipped).
    private func precedingKeyword() -> String? {
        var j = sql.count - 1
        while j >= 0, sql[j].isWhitespace { j -= 1 }
        var word: [Character] = []
        while j >= 0, sql[j].isLetter || sql[j] == "_" {
            word.insert(sql[j], at: 0)
            j -= 1
        }
        return word.isEmpty ? nil : String(word).uppercased()
    }
}
