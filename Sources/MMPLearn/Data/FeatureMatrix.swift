import MMPCore

/// Turns the feature columns of a preprocessed table into the matrix models train on.
public enum FeatureMatrix {
    /// Numeric and timestamp columns (as seconds) become matrix columns; a categorical column
    /// left unencoded is an error that says which step would encode it.
    public static func build(_ table: Table, columns: [String]) throws -> Matrix {
        var arrays: [[Double]] = []
        arrays.reserveCapacity(columns.count)
        for name in columns {
            let column = try table.require(name, role: "feature column")
            guard let values = column.doubles else {
                throw MMPError(.invalidRecipe,
                               "feature column '\(name)' holds text; add a one_hot_encoder or ordinal_encoder step for it under preprocessor.steps, or drop it from data.data_interface.feature_columns")
            }
            arrays.append(values)
        }
        return Matrix(columnArrays: arrays)
    }
}
