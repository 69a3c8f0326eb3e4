import MMPCore

/// Steps that turn categories into numbers (by default every text feature column).
public enum Encoders: PreprocessorFamily {
    public static let descriptors: [PreprocessorDescriptor] = [
        PreprocessorDescriptor(
            name: "one_hot_encoder",
            summary: "one 0/1 column <column>_<category> per training category, in place of the column; missing and unknown categories give all zeros",
            defaultColumns: .categorical,
            options: [
                StepOption("handle_unknown", .choice(["ignore", "error", "infrequent_if_exist"]), default: "ignore",
                           "ignore: an unknown category is all zeros; error: refuse it"),
                StepOption("drop", .choice(["none", "null", "first", "if_binary"]), default: "none",
                           "leave out the first category of every column (first) or of two-category columns (if_binary)"),
            ],
            fittedTypes: [FittedOneHotEncoder.self],
            make: { OneHotEncoder($0) }),
        PreprocessorDescriptor(
            name: "ordinal_encoder",
            summary: "each category becomes its index among the sorted training categories (missing stays missing)",
            defaultColumns: .categorical,
            options: [
                StepOption("handle_unknown", .choice(["error", "use_encoded_value"]), default: "error"),
                StepOption("unknown_value", nil, default: .null, "the code of an unknown category with use_encoded_value (a number, or null for missing)"),
            ],
            fittedTypes: [FittedOrdinalEncoder.self],
            make: { try OrdinalEncoder($0) }),
    ]
}
