import MMPConfig
import MMPCore
import MMPLearn

/// The loaded rows cut into train/validation/test (and calibration), each holding the input
/// feature columns and the target.
struct PreparedSplits {
    var train: Table
    var validation: Table
    var test: Table
    /// Rows for recalibrating probabilities (`model.calibration`), never trained on.
    var calibration: Table
    var labels: LabelEncoding?
    var rowCounts: JSONObject
    var summary: String

    init(recipe: Recipe, table full: Table, roles: ColumnRoles) throws {
        var table = full
        var dropped = 0
        var labels: LabelEncoding?
        // Rows without a target teach nothing and cannot be scored.
        if let target = roles.target {
            let column = try table.require(target, role: "target column")
            let keep = (0..<table.rowCount).filter { !column.isMissing($0) }
            dropped = table.rowCount - keep.count
            if dropped > 0 { table = table.selecting(rows: keep) }
            guard table.rowCount > 0 else { throw MMPError.invalidData("every row is missing the target column '\(target)'") }
            switch recipe.task {
            case .classification:
                labels = try LabelEncoding(fitting: try table.require(target))
            case .regression, .timeseries, .causal:
                guard table.column(target)!.kind == .numeric else {
                    throw MMPError.invalidData("target column '\(target)' holds text; \(recipe.task.rawValue) needs a numeric target\(recipe.task == .regression ? " (or use task_choice: classification)" : "")")
                }
            case .clustering: break
            }
        }
        let s = recipe.data.split
        let fractions = SplitFractions(train: s.train, validation: s.validation, test: s.test, calibration: s.calibration)
        let seed = recipe.evaluation.randomState
        let indices: SplitIndices
        switch s.strategy {
        case .temporal:
            let column = try table.require(s.temporalColumn ?? "", role: "temporal column")
            guard let keys = column.doubles else {
                throw MMPError.invalidData("temporal column '\(column.name)' holds text; it must hold dates, times or numbers")
            }
            indices = try Splitter.temporal(keys: keys, fractions: fractions, column: column.name)
        case .random:
            var strata: [Int]?
            if recipe.task == .classification, s.stratify, let labels, let target = roles.target {
                strata = labels.encode(table.column(target)!).map { Int($0) }
            }
            indices = Splitter.random(rowCount: table.rowCount, fractions: fractions, strata: strata, seed: seed)
        }
        let keep = roles.features + (roles.target.map { [$0] } ?? []) + (roles.treatment.map { [$0] } ?? []) + roles.ordering
        let base = try table.selecting(columns: keep)
        train = base.selecting(rows: indices.train)
        validation = base.selecting(rows: indices.validation)
        test = base.selecting(rows: indices.test)
        calibration = base.selecting(rows: indices.calibration)
        self.labels = labels
        var counts = JSONObject()
        counts["loaded"] = .int(full.rowCount)
        if dropped > 0 { counts["dropped_missing_target"] = .int(dropped) }
        counts["train"] = .int(train.rowCount)
        counts["validation"] = .int(validation.rowCount)
        counts["test"] = .int(test.rowCount)
        if !indices.calibration.isEmpty { counts["calibration"] = .int(indices.calibration.count) }
        rowCounts = counts
        summary = "\(s.strategy.rawValue)\(strataNote(recipe, s)): train \(train.rowCount), validation \(validation.rowCount), "
            + (indices.calibration.isEmpty ? "" : "calibration \(indices.calibration.count), ") + "test \(test.rowCount)"
            + (dropped > 0 ? " (\(dropped) rows without a target dropped)" : "")
        guard train.rowCount > 0 else { throw MMPError.invalidData("the training split is empty; \(full.rowCount) rows are too few for this split") }
    }
}

private func strataNote(_ recipe: Recipe, _ s: SplitSection) -> String {
    s.strategy == .random && recipe.task == .classification && s.stratify ? " stratified" : ""
}
