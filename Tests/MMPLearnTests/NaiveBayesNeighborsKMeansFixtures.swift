import Foundation
import MMPCore
@testable import MMPLearn

/// One case of a `misc_*.json` fixture (written by scripts/reference/misc_reference.py), with
/// its rows prepared exactly as that script prepares them: the CSV under data/, our split (which
/// the script mirrors bit for bit), and standardisation fitted on the training rows. (These
/// fixtures hold several cases each, clustering ones without a target, and scikit-learn's test
/// predictions, which is why they have their own runner beside `ReferenceCase`.)
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
    static func load(_ name: String) throws -> JSONObject {
        guard let object = try ReferenceFixture.load(name).objectValue else {
            throw MMPError.corrupt("\(name).json is not a JSON object")
        }
        return object
    }

    static func table(_ file: String) throws -> Table { try ReferenceFixture.dataset(file) }

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
        var target = [Double](repeating: 0, count: table.rowCount)
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
        let parts = Splitter.random(rowCount: table.rowCount,
                                    fractions: SplitFractions(train: number(split, "train"), validation: split["validation"]?.doubleValue ?? 0,
                                                              test: number(split, "test")),
                                    strata: stratify ? target.map { Int($0) } : nil, seed: split["seed"]!.intValue!)
        var trainTable = try table.selecting(columns: featureNames).selecting(rows: parts.train)
        var testTable = try table.selecting(columns: featureNames).selecting(rows: parts.test)
        if c["standardize"]?.boolValue == true {
            // mmp's own standard_scaler step, fitted on the training rows as scikit-learn's was.
            let descriptor = try PreprocessorCatalog.require("standard_scaler")
            let fitted = try descriptor.make(descriptor.resolve(JSONObject()).0).fit(trainTable, columns: featureNames)
            trainTable = try fitted.transform(trainTable, mode: .training)
            testTable = try fitted.transform(testTable, mode: .training)
        }
        let train = try FeatureMatrix.build(trainTable, columns: featureNames)
        let test = try FeatureMatrix.build(testTable, columns: featureNames)
        var metrics: [String: Double] = [:]
        for (k, v) in c["metrics"]?.objectValue ?? JSONObject() { metrics[k] = v.doubleValue }
        return MiscReferenceCase(
            json: c, name: c["name"]!.stringValue!, model: c["model"]!.stringValue!,
            hyperparameters: c["hyperparameters"]?.objectValue ?? JSONObject(), metrics: metrics,
            train: TrainingSet(features: train, target: task == .clustering ? [] : parts.train.map { target[$0] },
                               classCount: classCount, featureNames: featureNames),
            testFeatures: test, testTarget: task == .clustering ? [] : parts.test.map { target[$0] })
    }

    /// `names` computed by mmp's metric catalog on the model's test predictions.
    static func score(_ model: any TrainedModel, _ c: MiscReferenceCase, task: MLTask, names: [String]) throws -> [String: Double] {
        let input = MetricInput(truth: c.testTarget, predicted: model.predict(c.testFeatures),
                                probabilities: model.predictProbabilities(c.testFeatures), classCount: c.train.classCount,
                                features: c.testFeatures)
        var out: [String: Double] = [:]
        for name in names {
            guard let metric = MetricCatalog.lookup(name, task: task) else { throw MMPError.notFound("no \(task) metric \(name)") }
            out[name] = metric.compute(input)
        }
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
