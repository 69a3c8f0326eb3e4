import MMPAdapters
import MMPArtifacts
import MMPConfig
import MMPCore
import MMPLearn

/// Applies a model bundle to new rows: checks and aligns the input columns with the bundle's
/// schema, runs the fitted preprocessing (in inference mode, so no row is dropped), predicts.
///
/// The output holds the entity columns present in the input, `prediction`, and for classifiers
/// one `probability_<class>` column per class; quantile models add one `pred_pNN` column per
/// quantile level, causal models give `cate` (each row's treatment effect) instead of
/// `prediction`, and time-series models forecast (see `forecast`).
public enum PredictPipeline {
    public static func predict(_ bundle: ModelBundle, input: Table) throws -> Table {
        if bundle.task == .timeseries { return try forecast(bundle, input: input) }
        let missing = bundle.inputSchema.map(\.name).filter { input.column($0) == nil }
        if !missing.isEmpty {
            throw MMPError(.missingColumn, "the input lacks \(missing.count == 1 ? "column" : "columns") \(missing.joined(separator: ", ")) that model '\(bundle.recipeName)' was trained on (input columns: \(input.columnNames.joined(separator: ", ")))")
        }
        var features = try Table(columns: try bundle.inputSchema.map { field in
            try align(input.column(field.name)!, to: field.kind)
        })
        // Entity columns ride along (not as features) so per-entity steps (forward_fill) group by them.
        for name in bundle.entityColumns where features.column(name) == nil {
            if let column = input.column(name) { try features.set(column) }
        }
        features = try bundle.preprocessor.transform(features, mode: .inference)
        let matrix = try FeatureMatrix.build(features, columns: bundle.featureColumns)
        // One pass for both where the model can (boosting walks every tree once, not twice).
        let (predicted, probabilities) = bundle.labels != nil
            ? bundle.model.predictWithProbabilities(matrix) : (bundle.model.predict(matrix), nil)

        var output: [Column] = bundle.entityColumns.compactMap { input.column($0) }
        if let labels = bundle.labels {
            output.append(labels.decode(predicted, name: "prediction"))
            if let probabilities {
                for (k, label) in labels.classes.enumerated() {
                    output.append(.numeric("probability_\(label)", (0..<probabilities.rows).map { probabilities[$0, k] }))
                }
            }
        } else if bundle.task == .causal {
            // The conditional average treatment effect of each row.
            output.append(.numeric("cate", predicted))
        } else {
            output.append(.numeric("prediction", predicted))
            if let quantiles = bundle.model as? any QuantileModel {
                for q in quantiles.predictQuantiles(matrix) { output.append(.numeric("pred_\(q.label)", q.values)) }
            }
        }
        return try Table(columns: output)
    }

    /// Online prediction: `entities` holds the entity keys (plus any inputs the feature store does
    /// not provide); the features of the views the model was trained with are fetched from the
    /// online store by key, then the model predicts as `predict` does.
    public static func predictOnline(_ bundle: ModelBundle, entities: Table, store: any FeatureStore) throws -> Table {
        let request = try featureRequest(for: bundle)
        let input = try store.lookupOnline(entities, request: request)
        return try predict(bundle, input: input)
    }

    /// The feature views a bundle's recipe joined at training time.
    public static func featureRequest(for bundle: ModelBundle) throws -> FeatureRequest {
        let recipe = try RecipeDecoder.decode(bundle.recipeSnapshot, file: "the recipe of model '\(bundle.recipeName)'")
        guard recipe.data.fetcher.kind == .featureStore, !recipe.data.fetcher.featureViews.isEmpty else {
            throw MMPError.invalidInput("model '\(bundle.recipeName)' was trained without a feature store, so it cannot fetch features by entity key; pass --data with every column it was trained on")
        }
        return FeatureRequest(views: recipe.data.fetcher.featureViews, entityColumns: bundle.entityColumns,
                              timestampColumn: recipe.data.fetcher.timestampColumn ?? "")
    }

    /// A column read from a new CSV can infer another kind than at training time (postal codes
    /// that happen to be all digits, a column that is empty in this file). Convert where the
    /// meaning is unambiguous; refuse otherwise.
    static func align(_ column: Column, to kind: ColumnKind) throws -> Column {
        if column.kind == kind { return column }
        switch (column.values, kind) {
        case (.numeric(let v), .categorical):
            return .categorical(column.name, v.map { $0.isNaN ? nil : CSVWriter.format($0) })
        case (.timestamp(let v), .numeric):
            return .numeric(column.name, v)
        case (.categorical(let codes, _), .numeric) where codes.allSatisfy({ $0 < 0 }):
            return .numeric(column.name, [Double](repeating: .nan, count: codes.count))
        case (.categorical(let codes, let levels), .timestamp):
            var out = [Double](repeating: .nan, count: codes.count)
            for (i, c) in codes.enumerated() where c >= 0 {
                guard let t = Timestamp.parse(levels[Int(c)]) else {
                    throw MMPError.invalidData("column '\(column.name)' must hold dates or times; row \(i + 1) holds '\(levels[Int(c)])'")
                }
                out[i] = t
            }
            return .timestamp(column.name, out)
        default:
            throw MMPError.invalidData("column '\(column.name)' holds \(column.kind.rawValue) values but the model was trained on \(kind.rawValue) values")
        }
    }
}
