import MMPCore
import Testing
@testable import MMPLearn

/// Categorical boosting against the catboost package on data with a 600-level category
/// (scripts/reference/categorical_reference.py, categorical_*.json): the text columns go in as
/// they are (coded like the pipeline codes them, no one-hot), and mmp's CatBoostClassifier and
/// CatBoostRegressor with CatBoost's iterations, depth and learning rate score within the
/// fixture's tolerance of CatBoost, or better.
@Suite struct CategoricalBoostingTests {
    struct Run {
        var metrics: [String: Double]
        var model: any TrainedModel
        var test: Matrix
    }

    static func run(_ name: String, model: String? = nil, hp given: JSONObject? = nil) throws -> Run {
        let fixture = try ReferenceFixture.load(name)
        let task = try #require(MLTask(rawValue: fixture["task"]?.stringValue ?? ""))
        let target = try #require(fixture["target"]?.stringValue)
        let features = (fixture["features"]?.arrayValue ?? []).compactMap(\.stringValue)
        let table = try ReferenceFixture.dataset("shops.csv")
        let labels = task == .classification ? try LabelEncoding(fitting: try table.require(target)) : nil
        let targetColumn = try table.require(target)
        let y = labels.map { $0.encode(targetColumn) } ?? (targetColumn.doubles ?? [])
        let split = try fixture.require("split")
        let parts = Splitter.random(rowCount: table.rowCount, fractions: SplitFractions(train: try split.double("train"), test: try split.double("test")),
                                    strata: labels != nil ? y.map { Int($0) } : nil, seed: try #require(split["seed"]?.intValue))
        let base = try table.selecting(columns: features)
        var train = base.selecting(rows: parts.train), test = base.selecting(rows: parts.test)
        let text = ColumnSelection.categorical.select(in: train, among: features)
        #expect(text == ["shop", "device"])
        let codes = try NativeCategories.fit(train, columns: text)
        train = try codes.transform(train, mode: .training)
        test = try codes.transform(test, mode: .inference)
        var set = TrainingSet(features: try FeatureMatrix.build(train, columns: features), target: parts.train.map { y[$0] },
                              classCount: labels?.classes.count ?? 0, featureNames: features)
        set.categoricalFeatures = text.compactMap { features.firstIndex(of: $0) }
        let descriptor = try #require(ModelCatalog.lookup(model ?? (task == .classification ? "catboost.CatBoostClassifier" : "catboost.CatBoostRegressor")))
        let hp = given ?? fixture["hp"]?.objectValue ?? JSONObject()
        let (params, problems) = descriptor.resolve(hp)
        #expect(problems.isEmpty, "\(problems)")
        let fitted = try descriptor.make(params).fit(set, context: FitContext(seed: 0, threads: 2))
        let xTest = try FeatureMatrix.build(test, columns: features)
        let input = MetricInput(truth: parts.test.map { y[$0] }, predicted: fitted.predict(xTest), probabilities: fitted.predictProbabilities(xTest),
                                classCount: labels?.classes.count ?? 0)
        var scores: [String: Double] = [:]
        for metric in ["roc_auc", "accuracy", "log_loss", "r2", "rmse"] {
            if let d = MetricCatalog.lookup(metric, task: task), let v = d.compute(input) { scores[metric] = v }
        }
        return Run(metrics: scores, model: fitted, test: xTest)
    }

    @Test(arguments: ["categorical_shops_classifier", "categorical_shops_regressor"])
    func scoresLikeCatBoost(_ name: String) throws {
        let fixture = try ReferenceFixture.load(name)
        let run = try Self.run(name)
        let tolerance = try fixture.double("tolerance")
        for metric in (fixture["compare"]?.arrayValue ?? []).compactMap(\.stringValue) {
            let theirs = try #require(fixture["catboost"]?[metric]?.doubleValue)
            let ours = try #require(run.metrics[metric])
            let lowerIsBetter = metric == "log_loss" || metric == "rmse"
            let gap = lowerIsBetter ? ours - theirs : theirs - ours
            #expect(gap <= tolerance, "\(name) \(metric): ours \(ours), CatBoost \(theirs) (tolerance \(tolerance))")
        }
        if let allowed = fixture["log_loss_tolerance"]?.doubleValue, let theirs = fixture["catboost"]?["log_loss"]?.doubleValue {
            // Leaf-wise trees end slightly less well calibrated than CatBoost's symmetric ones.
            let ours = try #require(run.metrics["log_loss"])
            #expect(ours - theirs <= allowed, "\(name) log_loss: ours \(ours), CatBoost \(theirs) (tolerance \(allowed))")
        }
        #expect(run.model is CategoricalBoostedModel)
        let importances = try #require(run.model.featureImportances)
        #expect(importances.count == 4 && abs(importances.reduce(0, +) - 1) < 1e-9)
        #expect(importances[0] > 0.2, "the 600-level shop column carries the signal: \(importances)")
    }

    @Test func lightGBMAliasTakesTextColumnsToo() throws {
        // The LightGBM alias splits on the same statistics (no one-hot) and roundtrips the codec.
        let run = try Self.run("categorical_shops_classifier", model: "lightgbm.LGBMClassifier",
                               hp: .of(["n_estimators": 300, "max_depth": 6, "num_leaves": 64, "learning_rate": 0.08, "reg_lambda": 3]))
        #expect((run.metrics["roc_auc"] ?? 0) > 0.7)
        var writer = ByteWriter()
        ModelCodec.encode(run.model, to: &writer)
        var reader = ByteReader(writer.bytes)
        let back = try ModelCodec.decode(from: &reader)
        #expect(back.predictProbabilities(run.test) == run.model.predictProbabilities(run.test))
    }

    @Test func orderedStatisticsNeverSeeTheRowsOwnTarget() {
        // One category, targets 1, 0, 1, 1 in permutation order 0, 1, 2, 3: each row sees only
        // the rows before it (prior 0.75, weight 1).
        let (stats, ordered) = CategoryTargetStatistics.fit(column: [5, 5, 5, 5], feature: 0, targets: [[1, 0, 1, 1]], permutation: [0, 1, 2, 3])
        let statistics: [Double] = (0..<4).map { ordered[$0 * 2] }
        let expected: [Double] = [0.75, 1.75 / 2, 1.75 / 3, 2.75 / 4]
        #expect(statistics == expected)
        var out = [0.0, 0.0]
        out.withUnsafeMutableBufferPointer { stats.encode(5, into: $0.baseAddress!) }
        #expect(out == [(3 + 0.75) / 5, 1])
        out.withUnsafeMutableBufferPointer { stats.encode(9, into: $0.baseAddress!) }
        #expect(out == [0.75, 0], "an unknown category gets the prior and frequency 0")
    }
}
