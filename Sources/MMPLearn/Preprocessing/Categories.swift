import MMPCore

/// The categories of one column seen in training, sorted as scikit-learn sorts them (text by
/// code point, numbers numerically), and the lookup of each row's category.
struct Categories: Sendable, BinaryCodable {
    /// Category names in index order (numbers in CSV form); output columns are named after them.
    var names: [String]
    /// The numbers, when the column was numeric.
    var numbers: [Double]?

    init(fitting column: Column) {
        switch column.values {
        case .numeric(let v), .timestamp(let v):
            let unique = Set(v.filter { !$0.isNaN }).sorted()
            numbers = unique
            names = unique.map(CSVWriter.format)
        case .categorical(let codes, let levels):
            let used = Set(codes.filter { $0 >= 0 })
            names = used.map { levels[Int($0)] }.sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
            numbers = nil
        }
    }

    static let missing = -1
    static let unknown = -2

    /// Per row: the category index, `missing`, or `unknown` (a value not seen in training).
    func indices(_ column: Column, step: String) throws -> [Int] {
        switch column.values {
        case .numeric(let v), .timestamp(let v):
            guard let numbers else {
                throw MMPError.invalidData("\(step) was fitted on text column '\(column.name)', which now holds numbers")
            }
            let index = Dictionary(uniqueKeysWithValues: numbers.enumerated().map { ($1, $0) })
            return v.map { $0.isNaN ? Categories.missing : index[$0] ?? Categories.unknown }
        case .categorical(let codes, let levels):
            let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            let byCode: [Int]
            if numbers != nil {
                // Numbers read as text (a CSV that quoted them): match by value.
                let numberIndex = Dictionary(uniqueKeysWithValues: numbers!.enumerated().map { ($1, $0) })
                byCode = levels.map { Double($0).flatMap { numberIndex[$0] } ?? Categories.unknown }
            } else {
                byCode = levels.map { index[$0] ?? Categories.unknown }
            }
            return codes.map { $0 < 0 ? Categories.missing : byCode[Int($0)] }
        }
    }

    /// The first unknown value in `column` (for error messages).
    func firstUnknown(_ column: Column, _ indices: [Int]) -> String? {
        indices.firstIndex(of: Categories.unknown).map { column.text(at: $0) }
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(names)
        writer.write(numbers != nil)
        if let numbers { writer.write(numbers) }
    }

    init(from reader: inout ByteReader) throws {
        names = try reader.readStrings()
        numbers = try reader.readBool() ? try reader.readDoubles() : nil
        if let numbers { try FittedCheck.sameCount(names.count, numbers.count, "categories") }
    }
}
