import MMPCore

/// scikit-learn's `OneHotEncoder`: each column becomes one 0/1 column per training category,
/// named `<column>_<category>` and placed where the column was.
///
/// Unlike scikit-learn, a missing cell is not a category of its own: its row is all zeros
/// (impute first to give it a category). An unknown category is all zeros too
/// (`handle_unknown: ignore`) or an error (`error`). `drop: first` leaves out each column's
/// first category, `if_binary` only for columns with exactly two.
struct OneHotEncoder: PreprocessingStep {
    var ignoreUnknown: Bool
    var drop: String

    init(_ options: StepOptions) {
        ignoreUnknown = options.string("handle_unknown") != "error"
        drop = options.string("drop")
    }

    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        var categories: [Categories] = [], dropFirst: [Bool] = []
        for column in try table.requireAll(columns, step: "one_hot_encoder") {
            let c = Categories(fitting: column)
            guard !c.names.isEmpty else {
                throw MMPError.invalidData("one_hot_encoder: column '\(column.name)' has no value in the training rows")
            }
            categories.append(c)
            dropFirst.append(drop == "first" || (drop == "if_binary" && c.names.count == 2))
        }
        return FittedOneHotEncoder(columns: columns, categories: categories, dropFirst: dropFirst, ignoreUnknown: ignoreUnknown)
    }
}

struct FittedOneHotEncoder: FittedTransform {
    static let typeName = "one_hot_encoder.v1"
    var columns: [String]
    var categories: [Categories]
    var dropFirst: [Bool]
    var ignoreUnknown: Bool

    init(columns: [String], categories: [Categories], dropFirst: [Bool], ignoreUnknown: Bool) {
        self.columns = columns; self.categories = categories; self.dropFirst = dropFirst; self.ignoreUnknown = ignoreUnknown
    }

    /// The names of the columns produced for input column `k`.
    func outputNames(_ k: Int) -> [String] {
        categories[k].names.dropFirst(dropFirst[k] ? 1 : 0).map { "\(columns[k])_\($0)" }
    }

    func transform(_ table: Table, mode: TransformMode) throws -> Table {
        var replacements: [String: [Column]] = [:]
        for (k, column) in try table.requireAll(columns, step: "one_hot_encoder").enumerated() {
            let indices = try categories[k].indices(column, step: "one_hot_encoder")
            if !ignoreUnknown, let value = categories[k].firstUnknown(column, indices) {
                throw MMPError.invalidData("one_hot_encoder: column '\(column.name)' holds '\(value)', a category not seen in training (known: \(categories[k].names.joined(separator: ", "))); set handle_unknown: ignore to encode it as all zeros")
            }
            let first = dropFirst[k] ? 1 : 0
            var produced: [Column] = []
            for (offset, name) in outputNames(k).enumerated() {
                let category = first + offset
                produced.append(.numeric(name, indices.map { $0 == category ? 1 : 0 }))
            }
            replacements[column.name] = produced
        }
        return try table.replacing(replacements, step: "one_hot_encoder")
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(columns)
        writer.write(categories)
        writer.write(dropFirst.map { $0 ? 1 : 0 })
        writer.write(ignoreUnknown)
    }

    init(from reader: inout ByteReader) throws {
        columns = try reader.readStrings()
        categories = try reader.readArray(of: Categories.self)
        dropFirst = try reader.readInts().map { $0 != 0 }
        ignoreUnknown = try reader.readBool()
        try FittedCheck.sameCount(columns.count, categories.count, "one_hot_encoder")
        try FittedCheck.sameCount(columns.count, dropFirst.count, "one_hot_encoder")
    }
}
