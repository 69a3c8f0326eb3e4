import MMPCore

/// A columnar table: the unit data moves in between loaders, preprocessing and models.
public struct Table: Sendable {
    public private(set) var columns: [Column]
    public private(set) var rowCount: Int

    public init(columns: [Column]) throws {
        let count = columns.first?.count ?? 0
        for column in columns where column.count != count {
            throw MMPError.invalidData("column '\(column.name)' has \(column.count) rows, others have \(count)")
        }
        var seen = Set<String>()
        for column in columns where !seen.insert(column.name).inserted {
            throw MMPError.invalidData("column '\(column.name)' appears twice")
        }
        self.columns = columns
        self.rowCount = count
    }

    public static let empty = try! Table(columns: [])

    public var columnNames: [String] { columns.map(\.name) }

    public func index(of name: String) -> Int? { columns.firstIndex { $0.name == name } }

    public func column(_ name: String) -> Column? { index(of: name).map { columns[$0] } }

    /// The column, or an error naming it and the columns that exist.
    public func require(_ name: String, role: String = "column") throws -> Column {
        if let column = column(name) { return column }
        throw MMPError(.missingColumn,
                       "\(role) '\(name)' is not in the data\(Suggestion.hint(for: name, in: columnNames)) (columns: \(Table.list(columnNames)))")
    }

    /// Adds the column, or replaces the one with the same name in place.
    public mutating func set(_ column: Column) throws {
        if !columns.isEmpty, column.count != rowCount {
            throw MMPError.invalidData("column '\(column.name)' has \(column.count) rows, the table has \(rowCount)")
        }
        if columns.isEmpty { rowCount = column.count }
        if let i = index(of: column.name) { columns[i] = column } else { columns.append(column) }
    }

    public mutating func remove(_ name: String) {
        columns.removeAll { $0.name == name }
        if columns.isEmpty { rowCount = 0 }
    }

    /// Inserts `column` right after `after` (or at the end).
    public mutating func insert(_ column: Column, after name: String?) throws {
        try set(column)
        guard let name, let anchor = index(of: name), let current = index(of: column.name), current != anchor + 1 else { return }
        let moved = columns.remove(at: current)
        columns.insert(moved, at: anchor + (current > anchor ? 1 : 0))
    }

    public func selecting(rows indices: [Int]) -> Table {
        var t = self
        t.columns = columns.map { $0.selecting(indices) }
        t.rowCount = indices.count
        return t
    }

    public func selecting(columns names: [String]) throws -> Table {
        try Table(columns: names.map { try require($0) })
    }

    /// Rows `0..<n` (previews, tests).
    public func head(_ n: Int) -> Table { selecting(rows: Array(0..<min(n, rowCount))) }

    static func list(_ names: [String]) -> String {
        names.count <= 12 ? names.joined(separator: ", ") : names.prefix(12).joined(separator: ", ") + ", … (\(names.count) in all)"
    }
}
