import MMPCore
import MMPLearn
import MMPPostgres

/// Builds a `Table` from streamed PostgreSQL rows, chunk by chunk, so the rows exist once: in
/// the columns being built (plus one chunk in libpq's buffer).
///
/// Types map to column kinds: integers, floats and numeric → numeric; boolean → numeric 1/0;
/// date, timestamp and timestamptz → timestamp (UTC); everything else (text, varchar, uuid,
/// enums, json, ...) → categorical. NULL is missing in every kind.
public struct PostgresTableBuilder: PostgresRowHandler {
    private final class ColumnBuilder {
        let column: PostgresColumn
        var numbers: [Double] = []
        var codes: [Int32] = []
        var levels: [String] = []
        var index: [String: Int32] = [:]

        init(_ column: PostgresColumn) { self.column = column }
    }

    private var builders: [ColumnBuilder] = []
    /// Where the rows came from, for messages ("recipes/sql/fraud_events.sql").
    public let source: String

    public init(source: String) { self.source = source }

    public var columns: [PostgresColumn] { builders.map(\.column) }

    public mutating func begin(_ columns: [PostgresColumn]) throws {
        var seen = Set<String>()
        for column in columns where !seen.insert(column.name).inserted {
            throw MMPError.invalidData("the query in \(source) returns two columns named '\(column.name)'; give them distinct names with AS")
        }
        builders = columns.map(ColumnBuilder.init)
    }

    public mutating func consume(_ rows: PostgresRows) throws {
        for (c, builder) in builders.enumerated() {
            switch builder.column.kind {
            case .number, .boolean:
                rows.appendNumbers(column: c, to: &builder.numbers)
            case .date, .timestamp:
                rows.appendSeconds(column: c, to: &builder.numbers)
            case .text:
                rows.forEachText(column: c) { bytes in
                    guard let bytes else { builder.codes.append(-1); return }
                    let text = String(decoding: bytes, as: UTF8.self)
                    if let code = builder.index[text] {
                        builder.codes.append(code)
                    } else {
                        let code = Int32(builder.levels.count)
                        builder.index[text] = code
                        builder.levels.append(text)
                        builder.codes.append(code)
                    }
                }
            }
        }
    }

    /// The finished table; the builder's buffers move into it.
    public mutating func table() throws -> Table {
        let columns = builders.map { b -> Column in
            switch b.column.kind {
            case .number, .boolean: return .numeric(b.column.name, b.numbers)
            case .date, .timestamp: return .timestamp(b.column.name, b.numbers)
            case .text: return Column(name: b.column.name, values: .categorical(codes: b.codes, levels: b.levels))
            }
        }
        builders = []
        return try Table(columns: columns)
    }
}
