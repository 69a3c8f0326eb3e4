import MMPCore

/// One named column of a `Table`.
public struct Column: Sendable {
    public var name: String
    public var values: ColumnValues

    public init(name: String, values: ColumnValues) {
        self.name = name
        self.values = values
    }

    public static func numeric(_ name: String, _ values: [Double]) -> Column { Column(name: name, values: .numeric(values)) }
    public static func timestamp(_ name: String, _ seconds: [Double]) -> Column { Column(name: name, values: .timestamp(seconds)) }

    /// A categorical column from strings (nil is missing). Levels are kept in first-seen order.
    public static func categorical(_ name: String, _ strings: [String?]) -> Column {
        var index: [String: Int32] = [:]
        var levels: [String] = []
        var codes = [Int32](repeating: -1, count: strings.count)
        for (i, s) in strings.enumerated() {
            guard let s else { continue }
            if let code = index[s] { codes[i] = code } else {
                let code = Int32(levels.count)
                index[s] = code
                levels.append(s)
                codes[i] = code
            }
        }
        return Column(name: name, values: .categorical(codes: codes, levels: levels))
    }

    public var count: Int { values.count }
    public var kind: ColumnKind { values.kind }

    /// Numeric values; timestamps as seconds since the epoch. Nil for categorical columns.
    public var doubles: [Double]? {
        switch values {
        case .numeric(let v), .timestamp(let v): return v
        case .categorical: return nil
        }
    }

    public func isMissing(_ row: Int) -> Bool {
        switch values {
        case .numeric(let v), .timestamp(let v): return v[row].isNaN
        case .categorical(let codes, _): return codes[row] < 0
        }
    }

    public var missingCount: Int { (0..<count).reduce(0) { $0 + (isMissing($1) ? 1 : 0) } }

    /// The cell as text (empty when missing), the way a CSV would hold it.
    public func text(at row: Int) -> String {
        switch values {
        case .numeric(let v): return v[row].isNaN ? "" : CSVWriter.format(v[row])
        case .timestamp(let v): return v[row].isNaN ? "" : Timestamp.iso8601(v[row])
        case .categorical(let codes, let levels): return codes[row] < 0 ? "" : levels[Int(codes[row])]
        }
    }

    /// The rows at `indices`, in that order.
    public func selecting(_ indices: [Int]) -> Column {
        switch values {
        case .numeric(let v): return Column(name: name, values: .numeric(indices.map { v[$0] }))
        case .timestamp(let v): return Column(name: name, values: .timestamp(indices.map { v[$0] }))
        case .categorical(let codes, let levels):
            return Column(name: name, values: .categorical(codes: indices.map { codes[$0] }, levels: levels))
        }
    }
}

public enum ColumnKind: String, Sendable, Codable {
    case numeric, categorical, timestamp
}

/// Column storage. Missing values: NaN for numbers and timestamps, code -1 for categories.
public enum ColumnValues: Sendable {
    case numeric([Double])
    /// Dictionary-encoded strings: `levels[codes[i]]`, or missing when the code is -1.
    case categorical(codes: [Int32], levels: [String])
    /// Seconds since the Unix epoch (UTC).
    case timestamp([Double])

    public var count: Int {
        switch self {
        case .numeric(let v), .timestamp(let v): return v.count
        case .categorical(let codes, _): return codes.count
        }
    }

    public var kind: ColumnKind {
        switch self {
        case .numeric: return .numeric
        case .categorical: return .categorical
        case .timestamp: return .timestamp
        }
    }
}
