import MMPCore

/// A benchmark's printed result: rows of named figures, ours and the anchors' side by side.
public struct BenchReport: Sendable {
    public var title: String
    public var headers: [String]
    public var rows: [[String]] = []
    public var notes: [String] = []

    public init(title: String, headers: [String]) {
        self.title = title
        self.headers = headers
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    /// Markdown, ready to paste into docs/performance.md.
    public var markdown: String {
        var out = "### \(title)\n\n| " + headers.joined(separator: " | ") + " |\n|"
        out += headers.map { _ in "---" }.joined(separator: "|") + "|\n"
        for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        for note in notes { out += "\n\(note)\n" }
        return out
    }
}
