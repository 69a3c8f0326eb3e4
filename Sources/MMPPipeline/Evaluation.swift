import MMPConfig
import MMPCore
import MMPLearn

/// Scores a fitted model on the test split (and the validation split) with the recipe's metrics.
struct Evaluation {
    var metrics: JSONObject
    var validationMetrics: JSONObject
    var perClass: JSON?

    init(recipe: Recipe, data: ProcessedSplits, model: any TrainedModel, labels: [String]? = nil) throws {
        var names = recipe.evaluation.metrics.isEmpty ? MetricCatalog.defaults(for: recipe.task) : recipe.evaluation.metrics
        // A calibrated model always reports how calibrated it is, before and after.
        if model is CalibratedClassifier {
            names += CalibrationMetrics.descriptors.map(\.name).filter { !names.contains($0) }
        }
        let classCount = data.train.classCount
        for name in names {
            if let (label, _) = PerClassMetric.parse(name), MetricCatalog.lookup(name, task: recipe.task) != nil, let labels,
               !labels.contains(where: { $0.lowercased() == label }) {
                throw MMPError(.invalidRecipe, "metric '\(name)' names class '\(label)', which the target does not have (classes: \(labels.joined(separator: ", ")))")
            }
        }
        func score(_ set: EvaluationSet) -> (JSONObject, MetricInput) {
            let input = MetricInputs.make(model: model, set: set, classCount: classCount, labels: labels)
            var out = JSONObject()
            for name in names {
                guard let metric = MetricCatalog.lookup(name, task: recipe.task) else { continue }
                if let value = metric.compute(input), value.isFinite { out[metric.name] = .double(value) }
            }
            // A quantile model reports every level's figures, as the Python tool does.
            for (name, value) in QuantileMetrics.all(input) where out[name] == nil && value.isFinite { out[name] = .double(value) }
            return (out, input)
        }
        let held = data.test ?? data.validation
        guard let held else {
            // Clustering may train on every row; score it on the training rows then.
            let (m, _) = score(EvaluationSet(features: data.train.features, target: data.train.target))
            metrics = m
            validationMetrics = JSONObject()
            perClass = nil
            return
        }
        let (m, input) = score(held)
        metrics = m
        validationMetrics = (data.test != nil && data.validation != nil) ? score(data.validation!).0 : JSONObject()
        perClass = recipe.task == .classification ? Evaluation.perClass(input, classCount: classCount) : nil
    }

    /// Precision, recall, f1 and support for every class (labels by index; the pipeline names them).
    static func perClass(_ input: MetricInput, classCount: Int) -> JSON {
        var rows: [JSON] = []
        for c in 0..<classCount {
            var tp = 0, fp = 0, fn = 0, support = 0
            for (t, p) in zip(input.truth, input.predicted) {
                let truth = Int(t) == c, predicted = Int(p) == c
                if truth { support += 1 }
                if truth && predicted { tp += 1 } else if predicted { fp += 1 } else if truth { fn += 1 }
            }
            let precision = tp + fp == 0 ? 0 : Double(tp) / Double(tp + fp)
            let recall = tp + fn == 0 ? 0 : Double(tp) / Double(tp + fn)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            rows.append(.object(JSONObject([("class_index", .int(c)), ("precision", .double(precision)), ("recall", .double(recall)),
                                            ("f1", .double(f1)), ("support", .int(support))])))
        }
        return .array(rows)
    }
}
