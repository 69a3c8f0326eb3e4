import MMPCore

/// The coding the pipeline adds, after the recipe's steps, for a model that takes categories
/// as they are (`ModelDescriptor.nativeCategorical`): each text column becomes the index of its
/// category among the sorted training categories, missing and unknown categories NaN — the
/// ordinal_encoder with `handle_unknown: use_encoded_value, unknown_value: null`, stored in the
/// bundle like any fitted step.
public enum NativeCategories {
    public static func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        let descriptor = try PreprocessorCatalog.require("ordinal_encoder")
        let (options, _) = descriptor.resolve(.init([("handle_unknown", "use_encoded_value"), ("unknown_value", .null)]))
        return try descriptor.make(options).fit(table, columns: columns)
    }
}
