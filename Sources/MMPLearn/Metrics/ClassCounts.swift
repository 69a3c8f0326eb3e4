/// Per-class true-positive, predicted and actual counts: what precision, recall, f1 and
/// balanced accuracy are computed from.
struct ClassCounts {
    /// Correct predictions of each class.
    var truePositives: [Int]
    /// Rows predicted as each class.
    var predicted: [Int]
    /// Rows truly of each class (the support).
    var actual: [Int]

    init(truth: [Double], predicted predictions: [Double], classCount: Int) {
        let k = max(classCount, ClassCounts.impliedClassCount(truth, predictions))
        truePositives = Array(repeating: 0, count: k)
        predicted = Array(repeating: 0, count: k)
        actual = Array(repeating: 0, count: k)
        for (t, p) in zip(truth, predictions) {
            guard let ti = ClassCounts.index(t, k), let pi = ClassCounts.index(p, k) else { continue }
            actual[ti] += 1
            predicted[pi] += 1
            if ti == pi { truePositives[ti] += 1 }
        }
    }

    var classCount: Int { actual.count }

    /// Classes seen in the truth or the predictions: scikit-learn averages over these only
    /// (`unique_labels(y_true, y_pred)`).
    var presentClasses: [Int] { (0..<classCount).filter { actual[$0] > 0 || predicted[$0] > 0 } }

    // scikit-learn's zero_division default: an undefined ratio counts as 0.
    func precision(_ c: Int) -> Double { predicted[c] == 0 ? 0 : Double(truePositives[c]) / Double(predicted[c]) }
    func recall(_ c: Int) -> Double { actual[c] == 0 ? 0 : Double(truePositives[c]) / Double(actual[c]) }
    func f1(_ c: Int) -> Double {
        // 2·tp / (2·tp + fp + fn), which is the harmonic mean without the 0/0 cases.
        let denominator = predicted[c] + actual[c]
        return denominator == 0 ? 0 : 2 * Double(truePositives[c]) / Double(denominator)
    }

    func value(_ figure: ClassFigure, _ c: Int) -> Double {
        switch figure {
        case .precision: return precision(c)
        case .recall: return recall(c)
        case .f1: return f1(c)
        }
    }

    static func impliedClassCount(_ a: [Double], _ b: [Double]) -> Int {
        let m = max(a.lazy.filter { $0.isFinite }.max() ?? -1, b.lazy.filter { $0.isFinite }.max() ?? -1)
        return m < 0 ? 0 : Int(m) + 1
    }

    private static func index(_ value: Double, _ k: Int) -> Int? {
        guard value.isFinite, value >= 0, value < Double(k) else { return nil }
        return Int(value)
    }
}

enum ClassFigure: Sendable { case precision, recall, f1 }

/// How per-class figures are combined into one number.
enum ClassAverage: Sendable {
    /// Class 1 against the rest (two classes; scikit-learn's `pos_label=1` on sorted labels).
    case binary
    /// The unweighted mean over present classes.
    case macro
    /// The mean weighted by each class's support.
    case weighted

    /// Binary for two classes, macro otherwise: what `precision`, `recall` and `f1` report.
    static func natural(_ classCount: Int) -> ClassAverage { classCount <= 2 ? .binary : .macro }

    func combine(_ counts: ClassCounts, _ figure: (Int) -> Double) -> Double? {
        let present = counts.presentClasses
        guard !present.isEmpty else { return nil }
        switch self {
        case .binary:
            return counts.classCount > 1 ? figure(1) : 0
        case .macro:
            return present.reduce(0) { $0 + figure($1) } / Double(present.count)
        case .weighted:
            let total = present.reduce(0) { $0 + counts.actual[$1] }
            guard total > 0 else { return 0 }
            return present.reduce(0) { $0 + figure($1) * Double(counts.actual[$1]) } / Double(total)
        }
    }
}
