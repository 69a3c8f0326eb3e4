import Foundation
import MMPCore
import MMPLearn
import Testing

/// The JSON fixtures written by `scripts/reference/*.py` (scikit-learn's figures on our data and
/// splits), and the CSVs under `data/` they were computed from.
///
/// Fixtures are copied into the test bundle (`resources: [.copy("Fixtures")]`); when the bundle
/// copy is missing (an IDE run without resources) they are read from the source folder.
enum ReferenceFixture {
    /// The repository root, found from this file's path (Tests/MMPLearnTests/ReferenceFixture.swift).
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let directory: URL = {
        if let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) { return url }
        return URL(fileURLWithPath: repositoryRoot).appendingPathComponent("Tests/MMPLearnTests/Fixtures")
    }()

    /// The fixture `name` (without `.json`), parsed.
    static func load(_ name: String) throws -> JSON {
        let url = directory.appendingPathComponent(name + ".json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MMPError.notFound("fixture \(name).json is not in \(directory.path); run the script in scripts/reference/ that writes it")
        }
        return try JSON.parse(bytes: [UInt8](data))
    }

    /// Names (without `.json`) of the fixtures starting with `prefix`, sorted: the arguments of
    /// a parameterised test that checks every case a script wrote.
    static func names(prefix: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }
            .map { String($0.dropLast(5)) }
            .sorted()
    }

    /// A CSV under `data/`, read the way `mmp train` reads it.
    static func dataset(_ file: String) throws -> Table {
        let path = repositoryRoot + "/data/" + file
        guard let data = FileManager.default.contents(atPath: path) else { throw MMPError.notFound("no dataset at \(path)") }
        return try CSVReader(source: file).read(bytes: [UInt8](data))
    }
}

extension JSON {
    /// The member `key`, or a test failure naming it.
    func require(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSON {
        try #require(self[key], "fixture has no '\(key)'", sourceLocation: sourceLocation)
    }

    /// A list of numbers (nulls read as NaN), or a test failure.
    func doubles(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Double] {
        let list = try #require(self[key]?.arrayValue, "fixture has no list '\(key)'", sourceLocation: sourceLocation)
        return list.map { $0.doubleValue ?? .nan }
    }

    /// A number, or a test failure.
    func double(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Double {
        try #require(self[key]?.doubleValue, "fixture has no number '\(key)'", sourceLocation: sourceLocation)
    }
}

/// A model case from a fixture (`linear_*.json`, `recipe_*.json`, ...), run the way `mmp train`
/// runs a recipe: rows without a target dropped, every column but the target and entities a
/// feature, our random split (stratified by class index for classification), the steps fitted on
/// train and applied to train and test, the model fitted on train, metrics on test.
///
/// Fixture fields: dataset, task, target, entities, split {train, validation, test, seed},
/// steps [{type, columns?, options...}], model, hp, metrics {name: value}, tolerance.
struct ReferenceCase {
    struct Outcome {
        var metrics: [String: Double]
        var trainRows: Int
        var testRows: Int
        var features: [String]
        var model: any TrainedModel
    }

    let json: JSON

    init(_ name: String) throws { json = try ReferenceFixture.load(name) }

    func run(threads: Int = CPUInfo.availableCores) throws -> Outcome {
        let task = try #require(MLTask(rawValue: try json.require("task").stringValue ?? ""))
        let target = try #require(try json.require("target").stringValue)
        let entities = (json["entities"]?.arrayValue ?? []).compactMap(\.stringValue)
        var table = try ReferenceFixture.dataset(try #require(try json.require("dataset").stringValue))
        let targetColumn = try table.require(target)
        table = table.selecting(rows: (0..<table.rowCount).filter { !targetColumn.isMissing($0) })

        var labels: LabelEncoding?
        var strata: [Int]?
        if task == .classification {
            labels = try LabelEncoding(fitting: try table.require(target))
            strata = labels!.encode(try table.require(target)).map { Int($0) }
        }
        let split = try json.require("split")
        let indices = Splitter.random(
            rowCount: table.rowCount,
            fractions: SplitFractions(train: try split.double("train"), validation: split["validation"]?.doubleValue ?? 0,
                                      test: try split.double("test")),
            strata: strata, seed: try #require(split["seed"]?.intValue))
        var features = table.columns.filter { $0.name != target && !entities.contains($0.name) && $0.kind != .timestamp }.map(\.name)
        let base = try table.selecting(columns: features + [target])
        var train = base.selecting(rows: indices.train)
        var test = base.selecting(rows: indices.test)

        for step in json["steps"]?.arrayValue ?? [] {
            let type = try #require(step["type"]?.stringValue)
            let descriptor = try PreprocessorCatalog.require(type)
            var options = JSONObject()
            for (key, value) in try #require(step.objectValue) where key != "type" && key != "columns" { options[key] = value }
            let (resolved, problems) = descriptor.resolve(options)
            #expect(problems.isEmpty, "step \(type): \(problems)")
            let columns: [String]
            if let listed = step["columns"]?.arrayValue {
                columns = listed.compactMap(\.stringValue)
            } else {
                columns = descriptor.defaultColumns.select(in: train, among: features)
            }
            let fitted = try descriptor.make(resolved).fit(train, columns: columns)
            train = try fitted.transform(train, mode: .training)
            test = try fitted.transform(test, mode: .training)
            features = train.columnNames.filter { $0 != target }
        }

        func targetValues(_ t: Table) -> [Double] {
            let column = t.column(target)!
            return labels.map { $0.encode(column) } ?? column.doubles!
        }
        let classCount = labels?.classes.count ?? 0
        let set = TrainingSet(features: try FeatureMatrix.build(train, columns: features), target: targetValues(train),
                              classCount: classCount, featureNames: features)
        let descriptor = try ModelCatalog.require(try #require(try json.require("model").stringValue))
        let (hp, problems) = descriptor.resolve(json["hp"]?.objectValue ?? JSONObject())
        #expect(problems.isEmpty, "hyperparameters: \(problems)")
        let model = try descriptor.make(hp).fit(set, context: FitContext(seed: UInt64(try #require(split["seed"]?.intValue)), threads: threads))
        let xTest = try FeatureMatrix.build(test, columns: features)
        let input = MetricInput(truth: targetValues(test), predicted: model.predict(xTest),
                                probabilities: model.predictProbabilities(xTest), classCount: classCount, features: xTest)
        var scores: [String: Double] = [:]
        for (name, _) in try #require(try json.require("metrics").objectValue) {
            let metric = try #require(MetricCatalog.lookup(name, task: task), "no metric \(name)")
            if let value = metric.compute(input) { scores[name] = value }
        }
        return Outcome(metrics: scores, trainRows: train.rowCount, testRows: test.rowCount, features: features, model: model)
    }

    /// Expects every fixture metric within the fixture's tolerance (and null where sklearn's is).
    func expectMatches(_ outcome: Outcome, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let tolerance = try json.double("tolerance")
        #expect(outcome.trainRows == json["train_rows"]?.intValue, "train rows", sourceLocation: sourceLocation)
        #expect(outcome.testRows == json["test_rows"]?.intValue, "test rows", sourceLocation: sourceLocation)
        if let names = json["features"]?.arrayValue {
            #expect(outcome.features == names.compactMap(\.stringValue), "feature columns after preprocessing", sourceLocation: sourceLocation)
        }
        for (name, expected) in try #require(try json.require("metrics").objectValue) {
            guard let want = expected.doubleValue else {
                #expect(outcome.metrics[name] == nil, "\(name) should be undefined", sourceLocation: sourceLocation)
                continue
            }
            let got = try #require(outcome.metrics[name], "\(name) not computed", sourceLocation: sourceLocation)
            #expect(abs(got - want) <= tolerance, "\(name): ours \(got), scikit-learn \(want), tolerance \(tolerance)",
                    sourceLocation: sourceLocation)
        }
    }
}

extension JSONObject {
    /// An object from a literal, in the literal's order (hyperparameters and options in tests).
    static func of(_ pairs: KeyValuePairs<String, JSON>) -> JSONObject { JSONObject(pairs.map { ($0.key, $0.value) }) }
}
