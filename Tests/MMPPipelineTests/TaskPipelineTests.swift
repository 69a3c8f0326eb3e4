import Foundation
import MMPAdapters
import MMPArtifacts
import MMPConfig
import MMPCore
import MMPLearn
import Testing
@testable import MMPPipeline

/// The timeseries and causal tasks and quantile models end to end: recipe → train → bundle → predict.
@Suite struct TaskPipelineTests {
    /// An example recipe with fields replaced; each value is YAML (`{a: 1}`, `[x, y]`, `3`).
    func loadRecipe(_ name: String, overrides: [(String, String)]) throws -> Recipe {
        let document = try YAMLDocument.load(path: "\(repoRoot)/recipes/\(name).yaml")
        func set(_ node: JSON, _ path: ArraySlice<String>, _ value: JSON) -> JSON {
            guard let first = path.first else { return value }
            var object = node.objectValue ?? JSONObject()
            object[first] = set(object[first] ?? .null, path.dropFirst(), value)
            return .object(object)
        }
        var root = document.root
        for (key, text) in overrides {
            let value = try YAMLDocument(path: "override", text: "value: \(text)").root["value"] ?? .null
            root = set(root, key.split(separator: ".").map(String.init)[...], value)
        }
        return try RecipeDecoder.decode(root, file: document.path)
    }

    func train(_ recipe: Recipe, root: String) throws -> (TrainResult, ModelBundle) {
        let result = try TrainPipeline(config: localConfig(artifactRoot: root)).run(TrainingInput(recipe: recipe))
        let bundle = try BundleCodec.decode(try FilesystemStorage(root: root).fetch(result.artifact.uri))
        return (result, bundle)
    }

    func csv(_ path: String) throws -> Table {
        try CSVReader(source: path).read(bytes: [UInt8](try #require(FileManager.default.contents(atPath: path))))
    }

    // MARK: causal

    /// The learners with least squares against numpy on the same split (Fixtures/causal_uplift.json).
    @Test(arguments: [("LRSRegressor", "slearner_linear"), ("TLearner", "tlearner_linear")])
    func causalLearnersMatchNumpy(_ model: String, _ key: String) throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recipe = try loadRecipe("uplift_tlearner", overrides: [("model.class_path", model),
                                                                   ("model.hyperparameters.values", "{base_class_path: LinearRegression}")])
        let (result, bundle) = try train(recipe, root: root)
        let fixture = try referenceFixture("causal_uplift")
        let expected = try #require(fixture[key]?["metrics"]?.objectValue)
        for (name, value) in expected {
            let ours = try #require(result.metrics[name]?.doubleValue, "\(name) missing from \(result.metrics.keys)")
            let theirs = try #require(value.doubleValue)
            #expect(abs(ours - theirs) <= 1e-6 * max(1, abs(theirs)), "\(model) \(name): ours \(ours), numpy \(theirs)")
        }
        // The bundle predicts each row's effect as `cate`.
        let data = try csv("\(repoRoot)/data/uplift.csv")
        let predictions = try PredictPipeline.predict(bundle, input: data)
        #expect(predictions.columnNames == ["user_id", "cate"])
        let cate = try #require(predictions.column("cate")?.doubles)
        if key == "slearner_linear" {
            let coefficient = try #require(fixture[key]?["treatment_coefficient"]?.doubleValue)
            #expect(cate.allSatisfy { abs($0 - coefficient) < 1e-6 })
        }
    }

    /// A known effect (1.5 + x1 per user) is recovered: the interval of every learner on boosting
    /// holds the test rows' true average effect.
    @Test(arguments: ["causalml.inference.meta.XGBTRegressor", "XLearner", "SLearner", "causalml.inference.tree.CausalRandomForestRegressor"])
    func knownEffectIsRecoveredWithinItsInterval(_ model: String) throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var overrides = [("model.class_path", model)]
        if model == "SLearner" { overrides.append(("model.hyperparameters.values", "{base_class_path: lightgbm.LGBMRegressor, n_estimators: 200}")) }
        if model.hasSuffix("CausalRandomForestRegressor") { overrides.append(("model.hyperparameters.values", "{n_estimators: 50, min_samples_leaf: 5}")) }
        let (result, _) = try train(try loadRecipe("uplift_tlearner", overrides: overrides), root: root)
        let truth = try #require(try referenceFixture("causal_uplift")["true_test_ate"]?.doubleValue)
        let lower = try #require(result.metrics["ate_ci_lower"]?.doubleValue), upper = try #require(result.metrics["ate_ci_upper"]?.doubleValue)
        #expect(lower <= truth && truth <= upper, "\(model): true effect \(truth) outside [\(lower), \(upper)]")
        #expect(upper - lower < 0.5, "\(model): interval [\(lower), \(upper)] too wide to mean anything")
        // Effects vary with x1: a learner that ranks users must beat random targeting.
        if model != "SLearner" { #expect(try #require(result.metrics["qini_coefficient"]?.doubleValue) > 0.1, "\(result.metrics)") }
    }

    @Test func causalTuningOnTheEffectScoresOutcomeModelsInstead() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recipe = try loadRecipe("uplift_tlearner", overrides: [
            ("data.split", "{train: 0.6, validation: 0.2, test: 0.2}"),
            ("model.hyperparameters", "{tuning_enabled: true, optimization_metric: ate, n_trials: 3, fixed: {control_name: control}, tunable: {n_estimators: {type: int, range: [20, 60]}, booster: {type: categorical, range: [gbtree, dart]}}}"),
        ])
        let (result, _) = try train(recipe, root: root)
        let tuning = try #require(result.details["tuning"]?.objectValue)
        #expect(tuning["metric"]?.stringValue == "outcome_rmse")
        #expect(tuning["metric_requested"]?.stringValue == "ate")
        #expect(tuning["note"]?.stringValue?.contains("cannot rank models") == true)
        // A trial that asks for a booster mmp does not have fails with the reason; the others score.
        for trial in tuning["trials"]?.arrayValue ?? [] where trial["parameters"]?["booster"]?.stringValue == "dart" {
            #expect(trial["error"]?.stringValue?.contains("booster 'dart' is not available") == true)
        }
    }

    // MARK: time series

    @Test(arguments: ["ExponentialSmoothing", "ARIMA", "LinearTrend", "lightgbm.LGBMRegressor"])
    func timeseriesRecipeTrainsAndForecasts(_ model: String) throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var overrides = [("model.class_path", model)]
        if model != "ExponentialSmoothing" { overrides.append(("model.hyperparameters.values", "{}")) }
        let (result, bundle) = try train(try loadRecipe("co2_forecast", overrides: overrides), root: root)
        for metric in ["rmse", "mae", "mape", "smape"] { #expect(result.metrics[metric]?.doubleValue != nil, "\(metric) in \(result.metrics)") }
        // The statistical models and the linear trend forecast CO2 within a few ppm over 79 months.
        if model != "lightgbm.LGBMRegressor" { #expect(try #require(result.metrics["rmse"]?.doubleValue) < 6, "\(model): \(result.metrics)") }
        #expect(result.details["rows"]?["train"]?.intValue == 368)
        // Forecast the 6 months after the data, with no input rows.
        let forecast = try PredictPipeline.forecast(bundle, input: .empty, horizon: 6)
        #expect(forecast.columnNames == ["date", "step", "prediction"])
        #expect(forecast.rowCount == 6)
        let first = try #require(forecast.column("date")?.doubles?.first)
        #expect(Timestamp.iso8601(first).hasPrefix("2002-01-01"))
        let values = try #require(forecast.column("prediction")?.doubles)
        // Trees cannot extrapolate a trend (their forecasts stay within the levels they saw).
        let range: ClosedRange<Double> = model == "lightgbm.LGBMRegressor" ? 300...385 : 355...385
        #expect(values.allSatisfy { range.contains($0) }, "\(model): \(values)")
    }

    /// Several series (entity columns): one cut in time for all, one fit per series for the
    /// statistical models, and forecasts per series.
    @Test(arguments: ["ARIMA", "lightgbm.LGBMRegressor"])
    func entitiesAreSeparateSeries(_ model: String) throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Three stores, 120 days each (2023-11-14 to 2024-03-12); store b sells twice as much as a,
        // c has a weekly rhythm.
        var lines = ["store,day,sales,promo"]
        var generator = SeededGenerator(seed: 5)
        for store in ["a", "b", "c"] {
            var level = 100.0
            for day in 0..<120 {
                level += Double(generator.uniform(11)) - 5
                let weekly = store == "c" ? 20 * Double(day % 7 == 5 ? 1 : 0) : 0
                let sales = (store == "b" ? 2 : 1) * level + weekly
                lines.append("\(store),\(Timestamp.iso8601(Double(day) * 86_400 + 1_700_000_000 - 1_700_000_000.truncatingRemainder(dividingBy: 86_400)).prefix(10)),\(sales),\(day % 10 == 0 ? 1 : 0)")
            }
        }
        let path = "\(root)/stores.csv"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        var recipe = try loadRecipe("co2_forecast", overrides: [
            ("model.class_path", model), ("model.hyperparameters.values", model == "ARIMA" ? "{order_p: 1, order_d: 1, order_q: 0}" : "{n_estimators: 50}"),
            ("data.data_interface", "{target_column: sales, timestamp_column: day, entity_columns: [store]}"),
        ])
        recipe.data.loader.sourceURI = path
        let (result, bundle) = try train(recipe, root: root)
        #expect(result.details["series"]?.intValue == 3)
        #expect(result.details["time_step"]?.stringValue == "1 day")
        #expect(result.metrics["rmse"]?.doubleValue != nil)
        if model == "ARIMA" {
            #expect(try #require(bundle.model as? TimeSeriesForecaster).keys.count == 3)
            #expect(bundle.featureColumns.isEmpty, "a series model reads no feature columns")
        } else {
            #expect(bundle.featureColumns.contains("sales_lag_7") && bundle.featureColumns.contains("promo"))
        }
        // History rows of store b continue after the data; the rows without sales are forecast.
        let input = try Table(columns: [
            .categorical("store", ["b", "b", "b", "a"]),
            .categorical("day", ["2024-03-13", "2024-03-14", "2024-03-15", "2024-03-13"]),
            .numeric("sales", [.nan, .nan, .nan, .nan]),
            .numeric("promo", [0, 1, 0, 0]),
        ])
        if model == "ARIMA" {
            let out = try PredictPipeline.predict(bundle, input: input)
            #expect(out.columnNames == ["store", "day", "step", "prediction"])
            #expect(out.rowCount == 4)
            let h = try PredictPipeline.forecast(bundle, input: .empty, horizon: 2)
            #expect(h.rowCount == 6, "two steps for each of the three stores")
        } else {
            let out = try PredictPipeline.predict(bundle, input: input)
            #expect(out.rowCount == 4)
            // A model that reads `promo` cannot forecast a horizon whose promo is unknown.
            #expect(throws: MMPError.self) { try PredictPipeline.forecast(bundle, input: .empty, horizon: 2) }
        }
    }

    // MARK: quantiles and metric names

    @Test func quantileEnsembleRecipeGivesPredNNColumns() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recipe = try loadRecipe("house_prices_ridge", overrides: [
            ("model.class_path", "mmp.models.custom.quantile_ensemble.QuantileRegressorEnsemble"),
            ("model.hyperparameters.values", "{base_class_path: lightgbm.LGBMRegressor, quantiles: [0.5, 0.75, 0.95, 0.99], n_estimators: 50}"),
            ("evaluation.metrics", "[r2_score, mean_squared_error, root_mean_squared_error, mean_absolute_error, mean_pinball_loss]"),
        ])
        let (result, bundle) = try train(recipe, root: root)
        for metric in ["r2", "mse", "rmse", "mae", "mean_pinball_loss", "pinball_loss_p50", "pinball_loss_p99", "interval_coverage",
                       "coverage_rate_p95"] {
            #expect(result.metrics[metric]?.doubleValue != nil, "\(metric) missing from \(result.metrics.keys.sorted())")
        }
        let data = try csv("\(repoRoot)/data/houses.csv")
        let out = try PredictPipeline.predict(bundle, input: data)
        #expect(out.columnNames == ["house_id", "prediction", "pred_p50", "pred_p75", "pred_p95", "pred_p99"])
        let p50 = try #require(out.column("pred_p50")?.doubles), p99 = try #require(out.column("pred_p99")?.doubles)
        #expect(zip(p50, p99).allSatisfy { $0 <= $1 }, "quantiles never cross")
    }

    @Test func pythonMetricNamesWorkForEvaluationAndTuning() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recipe = try loadRecipe("breast_cancer", overrides: [
            ("evaluation.metrics", "[accuracy, class_malignant_recall, class_benign_precision, class_malignant_f1, class_benign_support]"),
            ("data.split", "{train: 0.6, validation: 0.2, test: 0.2}"),
            ("model.hyperparameters", "{tuning_enabled: true, optimization_metric: class_malignant_f1, n_trials: 2, tunable: {C: {type: float, range: [0.1, 10], log: true}}}"),
        ])
        let (result, _) = try train(recipe, root: root)
        let support = try #require(result.metrics["class_benign_support"]?.doubleValue)
        #expect(support > 50 && support == support.rounded())
        #expect(result.metrics["class_malignant_recall"]?.doubleValue != nil)
        #expect(result.details["tuning"]?["metric"]?.stringValue == "class_malignant_f1")
        // A label the target does not have is an error naming the classes.
        let bad = try loadRecipe("breast_cancer", overrides: [("evaluation.metrics", "[class_maybe_f1]")])
        #expect { try TrainPipeline(config: localConfig(artifactRoot: root)).run(TrainingInput(recipe: bad)) } throws: { error in
            MMPError.wrap(error).message.contains("names class 'maybe', which the target does not have (classes: benign, malignant)")
        }
    }
}
