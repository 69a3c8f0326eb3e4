import MMPCore

/// Splits a `.sql.j2` template into text, `{{ name }}` placeholders and `{% if name %}` blocks.
struct SQLTemplateParser {
    private let chars: [Character]
    private let source: String
    private var i = 0
    private var line = 1

    init(_ text: String, source: String) {
        chars = Array(text)
        self.source = source
    }

    private func error(_ message: String, _ at: Int) -> MMPError {
        MMPError(.invalidRecipe, "\(source): line \(at): \(message)")
    }

    private static let supported = "only {{ name }} placeholders (bound as query parameters) and {% if name %}...{% endif %} blocks are supported"

    mutating func parse() throws -> [SQLTemplate.Piece] {
        var stack: [(name: String, line: Int, pieces: [SQLTemplate.Piece])] = [("", 0, [])]
        var text = ""
        var textLine = line
        func flush() {
            if !text.isEmpty { stack[stack.count - 1].pieces.append(.text(text, line: textLine)) }
            text = ""
        }
        while i < chars.count {
            let c = chars[i]
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            if c == "{", next == "{" || next == "%" || next == "#" {
                flush()
                let tagLine = line
                let close: Character = next == "{" ? "}" : next == "%" ? "%" : "#"
                guard let end = find(close) else {
                    throw error("'{\(next!)' is never closed with '\(close)}'", tagLine)
                }
                let inner = String(chars[(i + 2)..<end])
                let raw = "{\(next!)\(inner)\(close)}"
                for ch in chars[i..<end + 2] where ch == "\n" { line += 1 }
                i = end + 2
                textLine = line
                if next == "#" { throw error("Jinja comment \(raw) is not supported; use a SQL comment (-- ...); \(Self.supported)", tagLine) }
                if inner.hasPrefix("-") || inner.hasSuffix("-") || inner.hasPrefix("+") || inner.hasSuffix("+") {
                    throw error("whitespace control in \(raw) is not supported; \(Self.supported)", tagLine)
                }
                let words = inner.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).map(String.init)
                if next == "{" {
                    guard words.count == 1, Self.isName(words[0]) else {
                        throw error("\(raw) is not supported: \(Self.supported) (filters, expressions and attribute access are not)", tagLine)
                    }
                    stack[stack.count - 1].pieces.append(.placeholder(words[0], line: tagLine))
                } else if words.count == 2, words[0] == "if", Self.isName(words[1]), words[1] != "not" {
                    stack.append((words[1], tagLine, []))
                } else if words == ["endif"] {
                    guard stack.count > 1 else { throw error("{% endif %} without an open {% if %}", tagLine) }
                    let block = stack.removeLast()
                    stack[stack.count - 1].pieces.append(.block(name: block.name, line: block.line, body: block.pieces))
                } else {
                    throw error("\(raw) is not supported: \(Self.supported)", tagLine)
                }
                continue
            }
            if c == "}", next == "}" {
                throw error("'}}' without an opening '{{'", line)
            }
            if c == "\n" { line += 1 }
            text.append(c)
            i += 1
        }
        flush()
        if stack.count > 1 {
            let open = stack[stack.count - 1]
            throw error("{% if \(open.name) %} is never closed with {% endif %}", open.line)
        }
        return stack[0].pieces
    }

    /// Index of the `close` + `}` that ends the tag opened at `i`.
    private func find(_ close: Character) -> Int? {
        var j = i + 2
        while j + 1 < chars.count {
            if chars[j] == close, chars[j + 1] == "}" { return j }
            j += 1
        }
        return nil
    }

    static func isName(_ word: String) -> Bool {
        guard let first = word.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return word.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
            && !["if", "endif", "else", "elif", "for", "endfor", "not", "and", "or", "in", "is", "true", "false", "none"].contains(word.lowercased())
    }
}
