import MMPCore

/// Where batch scoring writes (`mmp submit --predict --out SINK`):
/// - a folder: one CSV part file per shard (`part-00003.csv`) plus `manifest.json` and
///   `drift.json` written by the parent when every shard is done;
/// - `postgresql:TABLE` (or `postgresql:SCHEMA.TABLE`): rows appended to a table of the
///   environment's PostgreSQL (`adapters.postgresql` of the worker's config), one transaction per
///   shard that first deletes the rows of the same job and shard.
/// Both make a retried shard write its rows once.
public enum ScoringSink: Sendable, Equatable {
    case folder(String)
    case postgres(table: String)

    public init(_ text: String) throws {
        for prefix in ["postgresql:", "postgres:"] where text.hasPrefix(prefix) {
            let table = String(text.dropFirst(prefix.count))
            guard ScoringSink.isIdentifier(table) else {
                throw MMPError.invalidInput("--out \(text): '\(table)' is not a table name (letters, digits and _, optionally schema.table)")
            }
            self = .postgres(table: table)
            return
        }
        guard !text.isEmpty, text != "-" else {
            throw MMPError.invalidInput("--out must name a folder for CSV part files, or postgresql:TABLE")
        }
        self = .folder(text)
    }

    public var description: String {
        switch self {
        case .folder(let path): return path
        case .postgres(let table): return "postgresql:\(table)"
        }
    }

    static func isIdentifier(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { part in
            guard let first = part.first, first.isLetter || first == "_" else { return false }
            return part.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_") && $0.isASCII }
        }
    }

    /// The part file of a shard (1-based, as `mmp jobs show` counts them).
    public static func partName(_ shard: Int) -> String {
        let digits = String(shard)
        return "part-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".csv"
    }
}
