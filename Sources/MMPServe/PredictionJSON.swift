import MMPCore
import MMPLearn

/// `PredictPipeline.predict`'s output table as JSON values: the same doubles `mmp predict`
/// writes to its CSV, so a JSON number and the CSV's text read back to the same bits.
enum PredictionJSON {
    struct Row {
        var prediction: JSON
        /// `{class: probability}` for classifiers.
        var probabilities: JSON?
        /// The predicted class (empty for a regression), for the predictions-by-class counter.
        var label: String
    }

    static func rows(_ output: Table, classes: [String]?) -> [Row] {
        guard let prediction = output.column("prediction") else { return [] }
        let probabilities: [(String, [Double])] = (classes ?? []).compactMap { label in
            output.column("probability_\(label)")?.doubles.map { (label, $0) }
        }
        return (0..<output.rowCount).map { r in
            let value = self.value(prediction, r)
            var row = Row(prediction: value, probabilities: nil, label: classes == nil ? "" : prediction.text(at: r))
            if !probabilities.isEmpty {
                row.probabilities = .object(JSONObject(probabilities.map { ($0.0, number($0.1[r])) }))
            }
            return row
        }
    }

    static func value(_ column: Column, _ row: Int) -> JSON {
        switch column.values {
        case .numeric(let v): return number(v[row])
        case .timestamp(let v): return v[row].isNaN ? .null : .string(Timestamp.iso8601(v[row]))
        case .categorical(let codes, let levels): return codes[row] < 0 ? .null : .string(levels[Int(codes[row])])
        }
    }

    /// Integral values as integers (a class label 1, not 1.0), others in the shortest exact
    /// form; a missing value (NaN) is null.
    static func number(_ d: Double) -> JSON {
        if d.isNaN || d.isInfinite { return .null }
        if d == d.rounded(), abs(d) < 1e15 { return .int(Int(d)) }
        return .double(d)
    }
}
