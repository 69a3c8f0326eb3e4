import MMPCore

/// scikit-learn's `SimpleImputer`: missing cells become the training column's mean, median,
/// most frequent value or a constant. Mean and median need numeric columns; most_frequent and
/// constant also fill text columns. With `create_missing_indicators`, a 0/1 column
/// `<column>_missing` follows each column that had missing values in training (scikit-learn's
/// `add_indicator`, features="missing-only").
struct SimpleImputer: PreprocessingStep {
    enum Strategy: String { case mean, median, mostFrequent = "most_frequent", constant }

    var strategy: Strategy
    var fillValue: JSON
    var indicators: Bool

    init(_ options: StepOptions) throws {
        strategy = Strategy(rawValue: options.string("strategy")) ?? .mean
        fillValue = options["fill_value"] ?? .null
        indicators = options.bool("create_missing_indicators")
        if strategy == .constant, !fillValue.isNull, FillValue(fillValue) == nil {
            throw MMPError(.invalidRecipe, "simple_imputer: fill_value must be a number or text, found \(fillValue.typeDescription)")
        }
    }

    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        var fills: [FillValue] = []
        var indicate: [Bool] = []
        for column in try table.requireAll(columns, step: "simple_imputer") {
            fills.append(try fill(for: column))
            indicate.append(indicators && column.missingCount > 0)
        }
        return FittedSimpleImputer(columns: columns, fills: fills, indicators: indicate)
    }

    private func fill(for column: Column) throws -> FillValue {
        switch column.values {
        case .numeric(let v), .timestamp(let v):
            let present = ColumnStatistics.present(v)
            switch strategy {
            // A column with no value in training is filled with 0, as scikit-learn does with
            // keep_empty_features=True (dropping it would change the feature set under the model).
            case .mean: return .number(ColumnStatistics.mean(present) ?? 0)
            case .median: return .number(ColumnStatistics.median(sorted: present.sorted()) ?? 0)
            case .mostFrequent: return .number(ColumnStatistics.mostFrequent(present) ?? 0)
            case .constant:
                if fillValue.isNull { return .number(0) }
                guard let d = fillValue.doubleValue else {
                    throw MMPError(.invalidRecipe, "simple_imputer: column '\(column.name)' is numeric, so fill_value must be a number, found \(fillValue.typeDescription)")
                }
                return .number(d)
            }
        case .categorical(let codes, let levels):
            switch strategy {
            case .mean, .median:
                throw MMPError(.invalidRecipe, "simple_imputer strategy \(strategy.rawValue) needs numeric columns, and '\(column.name)' holds text; use strategy most_frequent or constant for it")
            case .mostFrequent:
                guard let top = ColumnStatistics.mostFrequent(codes.lazy.filter { $0 >= 0 }.map { levels[Int($0)] }) else {
                    throw MMPError.invalidData("simple_imputer: column '\(column.name)' has no value in the training rows, so it has no most frequent value; use strategy constant")
                }
                return .text(top)
            case .constant:
                if fillValue.isNull { return .text("missing_value") }  // scikit-learn's default for text
                return .text(fillValue.stringValue ?? fillValue.plainText)
            }
        }
    }
}

struct FittedSimpleImputer: FittedTransform {
    static let typeName = "simple_imputer.v1"
    var columns: [String]
    var fills: [FillValue]
    var indicators: [Bool]

    func transform(_ table: Table, mode: TransformMode) throws -> Table {
        var replacements: [String: [Column]] = [:]
        for (k, column) in try table.requireAll(columns, step: "simple_imputer").enumerated() {
            var produced = [try fills[k].fill(column, step: "simple_imputer")]
            if indicators[k] {
                produced.append(.numeric(column.name + "_missing", (0..<column.count).map { column.isMissing($0) ? 1 : 0 }))
            }
            replacements[column.name] = produced
        }
        return try table.replacing(replacements, step: "simple_imputer")
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(columns)
        writer.write(fills)
        writer.write(indicators.map { $0 ? 1 : 0 })
    }

    init(columns: [String], fills: [FillValue], indicators: [Bool]) {
        self.columns = columns; self.fills = fills; self.indicators = indicators
    }

    init(from reader: inout ByteReader) throws {
        columns = try reader.readStrings()
        fills = try reader.readArray(of: FillValue.self)
        indicators = try reader.readInts().map { $0 != 0 }
        try FittedCheck.sameCount(columns.count, fills.count, "simple_imputer")
        try FittedCheck.sameCount(columns.count, indicators.count, "simple_imputer")
    }
}
