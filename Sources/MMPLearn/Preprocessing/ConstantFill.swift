import MMPCore

/// Fills missing cells with a fixed value: one `fill_value` for every column of the step, or a
/// mapping `{column: value}` that fills only the columns it names.
struct ConstantFill: PreprocessingStep {
    var fillValue: JSON

    init(_ options: StepOptions) throws {
        fillValue = options["fill_value"] ?? .null
        switch fillValue {
        case .object(let map):
            for (column, value) in map where FillValue(value) == nil {
                throw MMPError(.invalidRecipe, "constant_fill: fill_value for '\(column)' must be a number or text, found \(value.typeDescription)")
            }
        default:
            guard FillValue(fillValue) != nil else {
                throw MMPError(.invalidRecipe, "constant_fill needs fill_value: a number or text for every column, or a mapping from column name to value; found \(fillValue.typeDescription)")
            }
        }
    }

    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        var names: [String] = [], fills: [FillValue] = []
        if case .object(let map) = fillValue {
            for (column, value) in map {
                guard let c = table.column(column) else {
                    throw MMPError(.missingColumn, "constant_fill: fill_value names column '\(column)', which is not in the data\(Suggestion.hint(for: column, in: table.columnNames))")
                }
                names.append(column)
                fills.append(try checked(FillValue(value)!, for: c))
            }
        } else {
            let fill = FillValue(fillValue)!
            for c in try table.requireAll(columns, step: "constant_fill") {
                names.append(c.name)
                fills.append(try checked(fill, for: c))
            }
        }
        return FittedConstantFill(columns: names, fills: fills)
    }

    /// Refuses text for a numeric column at fit time, so the recipe fails before training.
    private func checked(_ fill: FillValue, for column: Column) throws -> FillValue {
        if case .text(let s) = fill, column.kind != .categorical {
            throw MMPError(.invalidRecipe, "constant_fill: column '\(column.name)' is \(column.kind.rawValue) and cannot be filled with the text '\(s)'; give a number")
        }
        return fill
    }
}

struct FittedConstantFill: FittedTransform {
    static let typeName = "constant_fill.v1"
    var columns: [String]
    var fills: [FillValue]

    init(columns: [String], fills: [FillValue]) { self.columns = columns; self.fills = fills }

    func transform(_ table: Table, mode: TransformMode) throws -> Table {
        var replacements: [String: [Column]] = [:]
        for (k, column) in try table.requireAll(columns, step: "constant_fill").enumerated() {
            replacements[column.name] = [try fills[k].fill(column, step: "constant_fill")]
        }
        return try table.replacing(replacements, step: "constant_fill")
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(columns)
        writer.write(fills)
    }

    init(from reader: inout ByteReader) throws {
        columns = try reader.readStrings()
        fills = try reader.readArray(of: FillValue.self)
        try FittedCheck.sameCount(columns.count, fills.count, "constant_fill")
    }
}
