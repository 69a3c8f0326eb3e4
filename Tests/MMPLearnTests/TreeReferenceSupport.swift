import Foundation
import Testing
import MMPCore
@testable import MMPLearn

/// One case of a trees_*.json fixture written by scripts/reference/trees_reference.py: which CSV,
/// columns, split and hyperparameters, the reference score and its tolerance. The files are read
/// through the shared `ReferenceFixture`; the cases differ from `ReferenceCase` in listing their
/// features, blanking cells for missing-value cases and carrying a validation split.
struct TreeReferenceCase: CustomTestStringConvertible, Sendable {
    var name: String
    var dataset: String
    var target: String
    var features: [String]
    var task: MLTask
    var model: String
    var params: JSONObject
    var metric: String
    var tolerance: Double
    var reference: Double
    var fractions: SplitFractions
    var splitSeed: Int
    var missing: (every: Int, seed: Int)?
    var raw: JSONObject

    var testDescription: String { name }

    static func load(_ fixture: String) throws -> [TreeReferenceCase] {
        guard let cases = try ReferenceFixture.load(fixture)["cases"]?.arrayValue else { throw MMPError.corrupt("\(fixture): no cases") }
        return try cases.map { try TreeReferenceCase($0) }
    }

    init(_ json: JSON) throws {
        guard let o = json.objectValue, let split = o["split"] else { throw MMPError.corrupt("a fixture case is not an object") }
        func string(_ key: String) throws -> String {
            guard let s = o[key]?.stringValue else { throw MMPError.corrupt("fixture case lacks '\(key)'") }
            return s
        }
        func number(_ key: String) throws -> Double {
            guard let d = o[key]?.doubleValue else { throw MMPError.corrupt("fixture case lacks '\(key)'") }
            return d
        }
        raw = o
        name = try string("name")
        dataset = try string("dataset")
        target = try string("target")
        features = (o["features"]?.arrayValue ?? []).compactMap(\.stringValue)
        task = MLTask(rawValue: try string("task")) ?? .classification
        model = try string("model")
        params = o["params"]?.objectValue ?? JSONObject()
        metric = try string("metric")
        tolerance = try number("tolerance")
        reference = try number("reference")
        fractions = SplitFractions(train: split["train"]?.doubleValue ?? 0, validation: split["validation"]?.doubleValue ?? 0,
                                   test: split["test"]?.doubleValue ?? 0)
        splitSeed = split["seed"]?.intValue ?? 42
        if let m = o["missing"], let every = m["every"]?.intValue, let seed = m["seed"]?.intValue { missing = (every, seed) }
    }
}

/// A case's data, split as the reference script split it.
struct TreeReferenceData {
    var train: TrainingSet
    var test: EvaluationSet

    init(_ c: TreeReferenceCase) throws {
        let table = try ReferenceFixture.dataset(c.dataset)
        var columns: [[Double]] = []
        for name in c.features {
            guard let values = try table.require(name).doubles else { throw MMPError.invalidData("\(name) is not numeric") }
            columns.append(values)
        }
        var x = Matrix(columnArrays: columns)
        if let missing = c.missing {
            // The same cells the script blanks: row by row, SeededGenerator(seed).uniform(every) == 0.
            var g = SeededGenerator(seed: missing.seed)
            for i in 0..<x.rows { for j in 0..<x.columns where g.uniform(missing.every) == 0 { x[i, j] = .nan } }
        }
        let targetColumn = try table.require(c.target)
        let y: [Double]
        var classCount = 0
        var strata: [Int]?
        if c.task == .classification {
            let labels = try LabelEncoding(fitting: targetColumn)
            y = labels.encode(targetColumn)
            classCount = labels.classes.count
            strata = y.map { Int($0) }
        } else {
            y = targetColumn.doubles ?? []
        }
        let split = Splitter.random(rowCount: x.rows, fractions: c.fractions, strata: strata, seed: c.splitSeed)
        let validation = split.validation.isEmpty ? nil
            : EvaluationSet(features: x.selecting(rows: split.validation), target: split.validation.map { y[$0] })
        train = TrainingSet(features: x.selecting(rows: split.train), target: split.train.map { y[$0] }, classCount: classCount,
                            featureNames: c.features, validation: validation)
        test = EvaluationSet(features: x.selecting(rows: split.test), target: split.test.map { y[$0] })
    }
}

/// Fits a case's model through the catalog (as a recipe would) and scores it on the test rows.
enum TreeReferenceRunner {
    static func fit(_ c: TreeReferenceCase, data: TreeReferenceData, seed: UInt64 = 42) throws -> any TrainedModel {
        guard let descriptor = ModelCatalog.lookup(c.model) else { throw MMPError.notFound("model \(c.model) is not in the catalog") }
        let (params, problems) = descriptor.resolve(c.params)
        if let p = problems.first { throw MMPError(.invalidRecipe, "\(p.name): \(p.message)") }
        return try descriptor.make(params).fit(data.train, context: FitContext(seed: seed, threads: 2))
    }

    /// The case's metric from the metric catalog (roc_auc: binary, or one-vs-rest macro).
    static func score(_ c: TreeReferenceCase, model: any TrainedModel, data: TreeReferenceData) throws -> Double {
        let x = data.test.features
        let input = MetricInput(truth: data.test.target, predicted: model.predict(x), probabilities: model.predictProbabilities(x),
                                classCount: data.train.classCount, features: x)
        let metric = try #require(MetricCatalog.lookup(c.metric, task: c.task), "no metric \(c.metric)")
        return try #require(metric.compute(input), "\(c.metric) undefined on \(c.name)")
    }
}

/// The small helpers the tree unit tests score with.
enum TreeScores {
    static func r2(_ truth: [Double], _ predicted: [Double]) -> Double {
        let mean = truth.reduce(0, +) / Double(truth.count)
        var residual = 0.0, total = 0.0
        for (y, p) in zip(truth, predicted) { residual += (y - p) * (y - p); total += (y - mean) * (y - mean) }
        return 1 - residual / total
    }
}
