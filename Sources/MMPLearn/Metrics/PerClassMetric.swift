import MMPCore

/// The Python tool's per-class metric names, `class_<label>_<precision|recall|f1|support>`,
/// accepted wherever a classification metric is named. The label is matched against the
/// target's classes (case-insensitively, as metric names are) when the metric is computed.
public enum PerClassMetric {
    public static let figures = ["precision", "recall", "f1", "support"]

    /// The label and figure a name asks for, or nil when it is not of that form.
    public static func parse(_ name: String) -> (label: String, figure: String)? {
        let key = name.lowercased()
        guard key.hasPrefix("class_") else { return nil }
        for figure in figures where key.hasSuffix("_" + figure) {
            let label = String(key.dropFirst("class_".count).dropLast(figure.count + 1))
            if !label.isEmpty { return (label, figure) }
        }
        return nil
    }

    static func descriptor(named name: String) -> MetricDescriptor? {
        guard let (label, figure) = parse(name) else { return nil }
        return MetricDescriptor(name: name.lowercased(), task: .classification, direction: .maximize,
                                summary: "\(figure) of class '\(label)' alone") { input in
            guard let c = classIndex(label, in: input) else { return nil }
            let counts = ClassCounts(truth: input.truth, predicted: input.predicted, classCount: input.classCount)
            guard c < counts.classCount else { return nil }
            switch figure {
            case "precision": return counts.precision(c)
            case "recall": return counts.recall(c)
            case "f1": return counts.f1(c)
            default: return Double(counts.actual[c])
            }
        }
    }

    /// The index of the class whose label is `label`, or nil when the target has no such class.
    public static func classIndex(_ label: String, in input: MetricInput) -> Int? {
        input.classLabels?.firstIndex { $0.lowercased() == label }
    }
}
