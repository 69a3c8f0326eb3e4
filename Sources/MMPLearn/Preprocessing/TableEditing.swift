import MMPCore

extension Table {
    /// The table with some columns replaced in place by zero or more columns each (an encoder
    /// replaces a category column by its indicator columns where the category column was).
    /// A produced name that another column already has is an error naming the step.
    func replacing(_ replacements: [String: [Column]], step: String) throws -> Table {
        var out: [Column] = []
        out.reserveCapacity(columns.count + replacements.values.reduce(0) { $0 + $1.count })
        var names = Set<String>()
        for column in columns {
            for produced in replacements[column.name] ?? [column] {
                guard names.insert(produced.name).inserted else {
                    throw MMPError.invalidData("\(step) would create column '\(produced.name)', but the table already has a column of that name; rename one of them")
                }
                out.append(produced)
            }
        }
        return try Table(columns: out)
    }

    /// The columns a fitted step applies to, each required to be present (a bundle applied to
    /// data that lacks a column it was fitted on fails here, naming the column).
    func requireAll(_ names: [String], step: String) throws -> [Column] {
        try names.map { name in
            guard let column = column(name) else {
                throw MMPError(.missingColumn, "\(step) was fitted on column '\(name)', which is not in the data\(Suggestion.hint(for: name, in: columnNames)) (columns: \(Table.list(columnNames)))")
            }
            return column
        }
    }
}

/// Shared bundle-reading checks for fitted steps.
enum FittedCheck {
    static func sameCount(_ a: Int, _ b: Int, _ what: String) throws {
        guard a == b else { throw MMPError.corrupt("\(what): \(a) names but \(b) values in the saved step") }
    }
}
