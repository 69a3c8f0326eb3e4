import MMPCore

/// The classes of a classification target, sorted as scikit-learn sorts them (numbers
/// numerically, text lexicographically), and the mapping from target values to class indices.
public struct LabelEncoding: Sendable, Equatable, BinaryCodable {
    /// Class labels as text, in index order.
    public var classes: [String]
    /// Whether the labels were numbers (predictions are then written as numbers).
    public var numeric: Bool

    public init(classes: [String], numeric: Bool) { self.classes = classes; self.numeric = numeric }

    /// Learns the classes from a target column (missing values ignored).
    public init(fitting column: Column) throws {
        switch column.values {
        case .numeric(let v):
            let unique = Set(v.filter { !$0.isNaN }).sorted()
            classes = unique.map(CSVWriter.format)
            numeric = true
        case .categorical(let codes, let levels):
            let used = Set(codes.filter { $0 >= 0 })
            classes = used.map { levels[Int($0)] }.sorted()
            numeric = false
        case .timestamp:
            throw MMPError.invalidData("target column '\(column.name)' holds timestamps; a classification target needs labels")
        }
        guard classes.count >= 2 else {
            throw MMPError.invalidData("target column '\(column.name)' has \(classes.count) class\(classes.count == 1 ? "" : "es") (\(classes.joined(separator: ", "))); classification needs at least 2")
        }
    }

    /// Class index per row; NaN where the label is missing or unknown.
    public func encode(_ column: Column) -> [Double] {
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Double($0)) })
        switch column.values {
        case .numeric(let v): return v.map { $0.isNaN ? .nan : index[CSVWriter.format($0)] ?? .nan }
        case .categorical(let codes, let levels):
            let map = levels.map { index[$0] ?? .nan }
            return codes.map { $0 < 0 ? .nan : map[Int($0)] }
        case .timestamp(let v): return v.map { _ in .nan }
        }
    }

    /// The prediction column: class labels, as numbers when the target was numeric.
    public func decode(_ indices: [Double], name: String) -> Column {
        if numeric {
            return .numeric(name, indices.map { $0.isNaN ? .nan : Double(classes[Int($0)]) ?? .nan })
        }
        return .categorical(name, indices.map { $0.isNaN ? nil : classes[Int($0)] })
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(classes)
        writer.write(numeric)
    }

    public init(from reader: inout ByteReader) throws {
        classes = try reader.readStrings()
        numeric = try reader.readBool()
    }
}
