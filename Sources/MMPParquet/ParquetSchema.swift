import MMPCore
import MMPLearn

/// One leaf column of a Parquet schema and what it becomes in a `Table`.
struct ParquetLeaf {
    var name: String
    /// Index among the leaves: the position of its chunk in each row group.
    var index: Int
    var element: ParquetSchemaElement
    var maxDefinitionLevel: Int
    /// Why the column cannot be read (nested, repeated, a type mmp has no column for), or nil.
    var unsupported: String?

    var physical: ParquetPhysicalType { element.type ?? .byteArray }

    /// The table column kind: numbers, seconds since the epoch, or dictionary-coded text.
    var kind: ColumnKind {
        switch (physical, element.logical) {
        case (.int32, .date), (.int64, .timestamp), (.int96, _): return .timestamp
        case (.byteArray, _): return .categorical
        default: return .numeric
        }
    }
}

/// The flat columns of a file's schema, depth first as the row groups list their chunks.
enum ParquetSchema {
    static func leaves(_ schema: [ParquetSchemaElement], file: String) throws -> [ParquetLeaf] {
        guard let root = schema.first else { throw MMPError.invalidData("\(file): the Parquet footer has no schema") }
        var leaves: [ParquetLeaf] = []
        var next = 1
        // Walks the children of one group; `path` and `definition` describe the ancestors.
        func walk(children: Int, path: [String], definition: Int, nested: Bool) throws {
            for _ in 0..<children {
                guard next < schema.count else { throw MMPError.invalidData("\(file): the Parquet schema lists fewer elements than its groups hold") }
                let element = schema[next]
                next += 1
                let repetition = element.repetition ?? 0
                let level = definition + (repetition == 0 ? 0 : 1)
                let name = (path + [element.name]).joined(separator: ".")
                if element.childCount > 0 || element.type == nil {
                    try walk(children: element.childCount, path: path + [element.name], definition: level, nested: true)
                    continue
                }
                var leaf = ParquetLeaf(name: name, index: leaves.count, element: element, maxDefinitionLevel: level)
                if nested || repetition == 2 {
                    leaf.unsupported = "column '\(name)' is nested (a struct, list or map); mmp reads flat columns only — flatten it (e.g. pyarrow.Table.flatten()) or leave it out of the recipe's columns"
                } else {
                    leaf.unsupported = unsupportedType(element, name: name)
                }
                leaves.append(leaf)
            }
        }
        try walk(children: root.childCount, path: [], definition: 0, nested: false)
        return leaves
    }

    private static func unsupportedType(_ element: ParquetSchemaElement, name: String) -> String? {
        guard let type = element.type else { return "column '\(name)' has no physical type" }
        switch (type, element.logical) {
        case (.fixedLenByteArray, let logical):
            return "column '\(name)' is FIXED_LEN_BYTE_ARRAY\(describe(logical)), which mmp does not read; cast it to a string, integer or double column"
        case (.byteArray, .decimal):
            return "column '\(name)' is a DECIMAL stored as BYTE_ARRAY, which mmp does not read; cast it to double"
        case (.byteArray, .other(let what)):
            return "column '\(name)' is BYTE_ARRAY with logical type \(what), which mmp does not read; cast it to a string column"
        case (_, .other(let what)) where what == "MAP" || what == "LIST":
            return "column '\(name)' is a \(what); mmp reads flat columns only"
        default:
            return nil
        }
    }

    private static func describe(_ logical: ParquetLogicalType) -> String {
        switch logical {
        case .decimal: " (DECIMAL)"
        case .other(let what): " (\(what))"
        default: ""
        }
    }
}
