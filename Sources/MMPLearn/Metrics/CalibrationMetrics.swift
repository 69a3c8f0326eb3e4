import MMPCore

/// How well predicted probabilities match observed frequencies, after calibration (the model's
/// probabilities) and before it (`MetricInput.uncalibratedProbabilities`, present when the model
/// was calibrated). ECE and MCE as the Python modern-ml-pipeline's CalibrationEvaluator: ten
/// equal-width bins (lower, upper] of the positive-class probability, for more than two classes
/// the mean over one-vs-rest problems; Brier as scikit-learn's brier_score_loss.
public enum CalibrationMetrics: MetricFamily {
    public static let bins = 10

    public static let descriptors: [MetricDescriptor] = [
        describe("calibration_ece", "expected calibration error: Σ over 10 probability bins of share × |mean probability − observed rate|", ece),
        describe("calibration_mce", "maximum calibration error: the largest |mean probability − observed rate| over 10 bins", mce),
        describe("calibration_brier", "Brier score: mean squared difference between probabilities and outcomes (scikit-learn's brier_score_loss)", brier),
    ].flatMap { $0 }

    /// The metric on calibrated probabilities and its `_uncalibrated` twin.
    private static func describe(_ name: String, _ summary: String, _ f: @escaping @Sendable ([Double], Matrix, Int) -> Double?) -> [MetricDescriptor] {
        [MetricDescriptor(name: name, task: .classification, direction: .minimize, summary: summary + " (after calibration, or of the model's probabilities)",
                          compute: { input in input.probabilities.flatMap { f(input.truth, $0, input.classCount) } }),
         MetricDescriptor(name: name + "_uncalibrated", task: .classification, direction: .minimize,
                          summary: summary + " of the probabilities before calibration (reported when model.calibration is enabled)",
                          compute: { input in input.uncalibratedProbabilities.flatMap { f(input.truth, $0, input.classCount) } })]
    }

    /// Per one-vs-rest problem (one for two classes): (probabilities, 0/1 outcomes).
    static func problems(_ truth: [Double], _ p: Matrix, _ classes: Int) -> [([Double], [Double])] {
        let positives = classes == 2 ? [1] : Array(0..<p.columns)
        return positives.map { k in ((0..<p.rows).map { p[$0, k] }, truth.map { Int($0) == k ? 1 : 0 }) }
    }

    /// Per bin (lower, upper]: (share of rows, |mean probability − observed rate|); empty bins skipped.
    static func binGaps(_ probability: [Double], _ outcome: [Double]) -> [(Double, Double)] {
        let n = Double(probability.count)
        return (0..<bins).compactMap { b in
            let lower = Double(b) / Double(bins), upper = Double(b + 1) / Double(bins)
            var count = 0.0, p = 0.0, y = 0.0
            for (q, o) in zip(probability, outcome) where q > lower && q <= upper { count += 1; p += q; y += o }
            return count > 0 ? (count / n, abs(p / count - y / count)) : nil
        }
    }

    static func ece(_ truth: [Double], _ p: Matrix, _ classes: Int) -> Double? {
        guard !truth.isEmpty, truth.count == p.rows else { return nil }
        let values = problems(truth, p, classes).map { binGaps($0.0, $0.1).reduce(0) { $0 + $1.0 * $1.1 } }
        return values.reduce(0, +) / Double(values.count)
    }

    static func mce(_ truth: [Double], _ p: Matrix, _ classes: Int) -> Double? {
        guard !truth.isEmpty, truth.count == p.rows else { return nil }
        let values = problems(truth, p, classes).map { binGaps($0.0, $0.1).map(\.1).max() ?? 0 }
        return values.reduce(0, +) / Double(values.count)
    }

    /// Two classes: mean (p₁ − y)²; more: mean over rows of Σ_k (p_k − [y = k])².
    static func brier(_ truth: [Double], _ p: Matrix, _ classes: Int) -> Double? {
        guard !truth.isEmpty, truth.count == p.rows else { return nil }
        var total = 0.0
        for r in 0..<p.rows {
            if classes == 2 {
                let e = p[r, 1] - (Int(truth[r]) == 1 ? 1 : 0)
                total += e * e
            } else {
                for k in 0..<p.columns { let e = p[r, k] - (Int(truth[r]) == k ? 1 : 0); total += e * e }
            }
        }
        return total / Double(p.rows)
    }
}
