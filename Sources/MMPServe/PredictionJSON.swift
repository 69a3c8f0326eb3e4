import MMPCore
import MMPLearn

/// `PredictPipeline.predict`'s output table as JSON text, written straight into one string (no
/// JSON value per row): the doubles `mmp predict` writes to its CSV, in the same shortest exact
/// form, so a JSON number and the CSV's text read back to the same bits.
struct PredictionJSON: Sendable {
    /// `"0":`, `"1":` ... for a classifier's probabilities, quoted once per model.
    let classKeys: [String]
    let classes: [String]?

    init(classes: [String]?) {
        self.classes = classes
        classKeys = (classes ?? []).map { JSON.string($0).serialized() + ":" }
    }

    /// For each row: its fields (`"prediction":…,"probabilities":{…}`) and its predicted class
    /// (empty for a regression), for the predictions-by-class counter.
    func rows(_ output: Table) -> (fields: [String], labels: [String]) {
        guard let prediction = output.column("prediction") else { return ([], []) }
        let probabilities: [[Double]] = (classes ?? []).compactMap { output.column("probability_\($0)")?.doubles }
        var fields: [String] = []
        var labels: [String] = []
        fields.reserveCapacity(output.rowCount)
        labels.reserveCapacity(output.rowCount)
        for r in 0..<output.rowCount {
            var text = "\"prediction\":"
            Self.value(prediction, r, into: &text)
            if !probabilities.isEmpty, probabilities.count == classKeys.count {
                text += ",\"probabilities\":{"
                for (k, key) in classKeys.enumerated() {
                    if k > 0 { text += "," }
                    text += key
                    Self.number(probabilities[k][r], into: &text)
                }
                text += "}"
            }
            fields.append(text)
            labels.append(classes == nil ? "" : prediction.text(at: r))
        }
        return (fields, labels)
    }

    static func value(_ column: Column, _ row: Int, into text: inout String) {
        switch column.values {
        case .numeric(let v): number(v[row], into: &text)
        case .timestamp(let v): text += v[row].isNaN ? "null" : JSON.string(Timestamp.iso8601(v[row])).serialized()
        case .categorical(let codes, let levels): text += codes[row] < 0 ? "null" : JSON.string(levels[Int(codes[row])]).serialized()
        }
    }

    /// Integral values as integers (a class label 1, not 1.0), others in the shortest exact
    /// form; a missing value (NaN) is null.
    static func number(_ d: Double, into text: inout String) {
        if d.isNaN || d.isInfinite { text += "null"; return }
        if d == d.rounded(), abs(d) < 1e15 { text += String(Int64(d)); return }
        text += "\(d)"
    }
}
