import MMPCore

/// scikit-learn's `OrdinalEncoder`: each category becomes its index among the sorted training
/// categories, in place. A missing cell stays missing (NaN). An unknown category is an error,
/// or `unknown_value` (a number, or null for NaN) with `handle_unknown: use_encoded_value`.
struct OrdinalEncoder: PreprocessingStep {
    var unknownValue: Double?

    init(_ options: StepOptions) throws {
        guard options.string("handle_unknown") == "use_encoded_value" else { unknownValue = nil; return }
        let given = options["unknown_value"] ?? .null
        if given.isNull { unknownValue = .nan; return }
        guard let d = given.doubleValue else {
            throw MMPError(.invalidRecipe, "ordinal_encoder: unknown_value must be a number or null, found \(given.typeDescription)")
        }
        unknownValue = d
    }

    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        let categories = try table.requireAll(columns, step: "ordinal_encoder").map(Categories.init(fitting:))
        if let unknownValue, !unknownValue.isNaN {
            for (k, c) in categories.enumerated() where unknownValue >= 0 && unknownValue < Double(c.names.count) {
                throw MMPError(.invalidRecipe, "ordinal_encoder: unknown_value \(JSON.format(unknownValue)) is also the code of '\(c.names[Int(unknownValue)])' in column '\(columns[k])'; use a negative number or null")
            }
        }
        return FittedOrdinalEncoder(columns: columns, categories: categories, unknownValue: unknownValue)
    }
}

struct FittedOrdinalEncoder: FittedTransform {
    static let typeName = "ordinal_encoder.v1"
    var columns: [String]
    var categories: [Categories]
    /// nil: unknown categories are an error.
    var unknownValue: Double?

    init(columns: [String], categories: [Categories], unknownValue: Double?) {
        self.columns = columns; self.categories = categories; self.unknownValue = unknownValue
    }

    func transform(_ table: Table, mode: TransformMode) throws -> Table {
        var replacements: [String: [Column]] = [:]
        for (k, column) in try table.requireAll(columns, step: "ordinal_encoder").enumerated() {
            let indices = try categories[k].indices(column, step: "ordinal_encoder")
            if unknownValue == nil, let value = categories[k].firstUnknown(column, indices) {
                throw MMPError.invalidData("ordinal_encoder: column '\(column.name)' holds '\(value)', a category not seen in training; set handle_unknown: use_encoded_value with an unknown_value to encode it")
            }
            replacements[column.name] = [.numeric(column.name, indices.map { i in
                i >= 0 ? Double(i) : (i == Categories.missing ? .nan : unknownValue ?? .nan)
            })]
        }
        return try table.replacing(replacements, step: "ordinal_encoder")
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(columns)
        writer.write(categories)
        writer.write(unknownValue != nil)
        writer.write(unknownValue ?? 0)
    }

    init(from reader: inout ByteReader) throws {
        columns = try reader.readStrings()
        categories = try reader.readArray(of: Categories.self)
        let hasUnknown = try reader.readBool()
        let value = try reader.readDouble()
        unknownValue = hasUnknown ? value : nil
        try FittedCheck.sameCount(columns.count, categories.count, "ordinal_encoder")
    }
}
