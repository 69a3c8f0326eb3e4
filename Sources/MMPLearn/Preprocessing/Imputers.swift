import MMPCore

/// Steps that deal with missing values: fill them, or drop what holds them.
public enum Imputers: PreprocessorFamily {
    public static let descriptors: [PreprocessorDescriptor] = [
        PreprocessorDescriptor(
            name: "simple_imputer",
            summary: "fills missing cells with the training column's mean, median, most frequent value or a constant (scikit-learn's SimpleImputer); most_frequent and constant also fill text columns",
            defaultColumns: .numeric,
            options: [
                StepOption("strategy", .choice(["mean", "median", "most_frequent", "constant"]), default: "mean"),
                StepOption("fill_value", nil, default: .null, "the constant for strategy constant (default 0, or 'missing_value' for text)"),
                StepOption("create_missing_indicators", .bool, default: false,
                           "add a 0/1 column <column>_missing after each column that had missing values in training"),
            ],
            fittedTypes: [FittedSimpleImputer.self],
            make: { try SimpleImputer($0) }),
        PreprocessorDescriptor(
            name: "drop_missing",
            summary: "drops training rows (never rows to predict), or columns, whose share of missing cells is above threshold",
            defaultColumns: .all,
            options: [
                StepOption("axis", .choice(["rows", "columns"]), default: "rows"),
                StepOption("threshold", .double(0...1), default: 0.0,
                           "largest share of missing cells a row or column may have and be kept (0: drop on any missing cell)"),
            ],
            fittedTypes: [FittedDropMissing.self],
            make: { DropMissing($0) }),
        PreprocessorDescriptor(
            name: "constant_fill",
            summary: "fills missing cells with fill_value: one number or text for every column, or a mapping {column: value}",
            defaultColumns: .all,
            options: [
                StepOption("fill_value", nil, default: .null, "a number or text, or a mapping from column name to value"),
            ],
            fittedTypes: [FittedConstantFill.self],
            make: { try ConstantFill($0) }),
    ]
}
