import MMPCore

/// Checks shared by the tree models before they fit, so bad input fails with a message
/// instead of a crash deep inside a learner.
enum TreeInputs {
    static func check(_ data: TrainingSet, model: String, classification: Bool) throws {
        let x = data.features
        guard x.rows > 0 else { throw MMPError.invalidData("\(model) cannot be fitted on 0 training rows") }
        guard x.columns > 0 else { throw MMPError.invalidData("\(model) needs at least one feature column; the training data has none") }
        guard data.target.count == x.rows else {
            throw MMPError.invalidData("\(model): the target has \(data.target.count) values for \(x.rows) training rows")
        }
        if classification {
            guard data.classCount >= 2 else {
                throw MMPError.invalidData("\(model) needs at least 2 classes in the target; found \(data.classCount)")
            }
            if let row = data.target.firstIndex(where: { $0.isNaN || $0 < 0 || $0 >= Double(data.classCount) || $0 != $0.rounded() }) {
                throw MMPError.invalidData("\(model): training row \(row + 1) has a missing or unknown class label; drop or fill missing targets first")
            }
        } else if let row = data.target.firstIndex(where: { !$0.isFinite }) {
            throw MMPError.invalidData("\(model): the regression target is missing or infinite in training row \(row + 1); drop or fill missing targets first")
        }
    }

    /// Index of the largest value of each row (the first on ties).
    static func argmax(_ probabilities: [Double], rows: Int, classes: Int) -> [Double] {
        (0..<rows).map { r in
            var best = 0
            for j in 1..<classes where probabilities[r * classes + j] > probabilities[r * classes + best] { best = j }
            return Double(best)
        }
    }

    /// Importances scaled to sum to 1; nil when nothing was learned (no split anywhere).
    static func normalized(_ raw: [Double]) -> [Double]? {
        let total = raw.reduce(0, +)
        guard total > 0, total.isFinite else { return nil }
        return raw.map { $0 / total }
    }

    /// Reads `max_depth`: null, 0 or a negative number mean unlimited (scikit-learn's None,
    /// LightGBM's -1).
    static func depthLimit(_ value: Int?) -> Int {
        guard let value, value > 0 else { return Int.max }
        return value
    }
}
