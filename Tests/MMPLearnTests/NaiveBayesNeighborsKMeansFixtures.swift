import Foundation
import MMPCore
@testable import MMPLearn

/// One case of a `misc_*.json` fixture (written by scripts/reference/misc_reference.py), with
/// its rows prepared exactly as that script prepares them: the CSV under data/, our split (which
/// the script mirrors bit for bit), and StandardScaler statistics from the training rows.
struct MiscReferenceCase {
    var json: JSONObject
    var name: String
    var model: String
    var hyperparameters: JSONObject
    var metrics: [String: Double]
    var train: TrainingSet
    var testFeatures: Matrix
    var testTarget: [Double]

    var expectedPredictions: [Double]? { json["test_predictions"]?.arrayValue?.compactMap(\.doubleValue) }

    var expectedProbabilities: [[Double]]? {
        json["test_probabilities"]?.arrayValue?.map { $0.arrayValue?.compactMap(\.doubleValue) ?? [] }
    }

    /// Fits the case's model with its hyperparameters, as a recipe would.
    func fit(seed: UInt64 = 0, threads: Int = CPUInfo.availableCores) throws -> any TrainedModel {
        guard let descriptor = ModelCatalog.lookup(model) else { throw MMPError.notFound("no model \(model)") }
        let (params, problems) = descriptor.resolve(hyperparameters)
        guard problems.isEmpty else { throw MMPError.invalidInput("\(problems)") }
        return try descriptor.make(params).fit(train, context: FitContext(seed: seed, threads: threads))
    }
}

enum MiscFixtures {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func load(_ name: String) throws -> JSONObject {
        let url = repositoryRoot.appendingPathComponent("Tests/MMPLearnTests/Fixtures/\(name).json")
        guard let object = try JSON.parse(String(contentsOf: url, encoding: .utf8)).objectValue else {
            throw MMPError.corrupt("\(name).json is not a JSON object")
        }
        return object
    }

    static func table(_ file: String) throws -> Table {
        let url = repositoryRoot.appendingPathComponent("data/\(file)")
        return try CSVReader(source: file).read(bytes: Array(try Data(contentsOf: url)))
    }

    static func number(_ object: JSONObject, _ key: String) -> Double { object[key]?.doubleValue ?? .nan }

    /// The cases of a fixture (those of `model` only, when given), prepared for `task`.
    static func cases(_ fixture: String, task: MLTask, model: String? = nil) throws -> [MiscReferenceCase] {
        let root = try load(fixture)
        return try (root["cases"]?.arrayValue ?? []).compactMap { item in
            guard let c = item.objectValue else { throw MMPError.corrupt("a case of \(fixture) is not an object") }
            if let model, c["model"]?.stringValue != model { return nil }
            return try prepare(c, task: task)
        }
    }

    static func prepare(_ c: JSONObject, task: MLTask) throws -> MiscReferenceCase {
        let table = try self.table(c["data"]!.stringValue!)
        let featureNames = c["features"]!.arrayValue!.compactMap(\.stringValue)
        let x = try FeatureMatrix.build(table, columns: featureNames)
        var target = [Double](repeating: 0, count: x.rows)
        var classCount = 0
        if task != .clustering, let name = c["target"]?.stringValue {
            let column = try table.require(name)
            if task == .classification {
                let encoding = try LabelEncoding(fitting: column)
                target = encoding.encode(column)
                classCount = encoding.classes.count
            } else {
                guard let numbers = column.doubles else { throw MMPError.invalidData("\(name) is not numeric") }
                target = numbers
            }
        }
        let split = c["split"]!.objectValue!
        let stratify = split["stratify"]?.boolValue ?? false
        let parts = Splitter.random(rowCount: x.rows,
                                    fractions: SplitFractions(train: number(split, "train"), validation: split["validation"]?.doubleValue ?? 0,
                                                              test: number(split, "test")),
                                    strata: stratify ? target.map { Int($0) } : nil, seed: split["seed"]!.intValue!)
        var train = x.selecting(rows: parts.train), test = x.selecting(rows: parts.test)
        if c["standardize"]?.boolValue == true { standardize(&train, &test) }
        var metrics: [String: Double] = [:]
        for (k, v) in c["metrics"]?.objectValue ?? JSONObject() { metrics[k] = v.doubleValue }
        return MiscReferenceCase(
            json: c, name: c["name"]!.stringValue!, model: c["model"]!.stringValue!,
            hyperparameters: c["hyperparameters"]?.objectValue ?? JSONObject(), metrics: metrics,
            train: TrainingSet(features: train, target: task == .clustering ? [] : parts.train.map { target[$0] },
                               classCount: classCount, featureNames: featureNames),
            testFeatures: test, testTarget: task == .clustering ? [] : parts.test.map { target[$0] })
    }

    /// scikit-learn's StandardScaler: training mean and population standard deviation (1 where 0).
    static func standardize(_ train: inout Matrix, _ test: inout Matrix) {
        for f in 0..<train.columns {
            let column = train.column(f)
            let mean = column.reduce(0, +) / Double(column.count)
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count)
            let scale = variance > 0 ? variance.squareRoot() : 1
            for r in 0..<train.rows { train[r, f] = (train[r, f] - mean) / scale }
            for r in 0..<test.rows { test[r, f] = (test[r, f] - mean) / scale }
        }
    }
}

/// The few classification and regression metrics these tests need, written out here so the
/// suites do not depend on the metric families other branches are building.
enum MiscMetrics {
    static func accuracy(_ truth: [Double], _ predicted: [Double]) -> Double {
        Double(zip(truth, predicted).filter { $0 == $1 }.count) / Double(truth.count)
    }

    /// scikit-learn's log_loss: probabilities clipped to [ε, 1 − ε] (ε = machine epsilon) and
    /// renormalised per row.
    static func logLoss(_ truth: [Double], _ p: Matrix) -> Double {
        let eps = Double.ulpOfOne
        var total = 0.0
        for r in 0..<p.rows {
            var row = (0..<p.columns).map { min(max(p[r, $0], eps), 1 - eps) }
            let s = row.reduce(0, +)
            row = row.map { $0 / s }
            total -= Foundation.log(row[Int(truth[r])])
        }
        return total / Double(p.rows)
    }

    /// Binary ROC AUC from ranks (ties share their mean rank).
    static func rocAUC(_ truth: [Double], _ score: [Double]) -> Double {
        let order = score.indices.sorted { score[$0] < score[$1] }
        var ranks = [Double](repeating: 0, count: score.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && score[order[j + 1]] == score[order[i]] { j += 1 }
            for t in i...j { ranks[order[t]] = Double(i + j) / 2 + 1 }
            i = j + 1
        }
        let positives = truth.filter { $0 == 1 }.count, negatives = truth.count - positives
        let rankSum = zip(truth, ranks).filter { $0.0 == 1 }.reduce(0) { $0 + $1.1 }
        return (rankSum - Double(positives * (positives + 1)) / 2) / Double(positives * negatives)
    }

    static func r2(_ truth: [Double], _ predicted: [Double]) -> Double {
        let mean = truth.reduce(0, +) / Double(truth.count)
        let residual = zip(truth, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let total = truth.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return 1 - residual / total
    }

    static func rmse(_ truth: [Double], _ predicted: [Double]) -> Double {
        (zip(truth, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(truth.count)).squareRoot()
    }

    /// The classification metrics a fixture lists, computed on our model's test predictions.
    static func classification(_ model: any TrainedModel, _ c: MiscReferenceCase) -> [String: Double] {
        let p = model.predictProbabilities(c.testFeatures)!
        var out = ["accuracy": accuracy(c.testTarget, model.predict(c.testFeatures)), "log_loss": logLoss(c.testTarget, p)]
        if p.columns == 2 { out["roc_auc"] = rocAUC(c.testTarget, p.column(1)) }
        return out
    }
}

/// Encodes a fitted model the way bundles do and decodes it again.
func roundTrip(_ model: any TrainedModel) throws -> any TrainedModel {
    var writer = ByteWriter()
    ModelCodec.encode(model, to: &writer)
    var reader = ByteReader(writer.bytes)
    let decoded = try ModelCodec.decode(from: &reader)
    guard reader.isAtEnd else { throw MMPError.corrupt("bytes left over after decoding \(type(of: model).typeName)") }
    return decoded
}
