import MMPCore
import Synchronization
import Testing
@testable import MMPLearn

/// Gradient boosting: aliases from LightGBM, XGBoost and scikit-learn, early stopping,
/// multiclass, sampling, reproducibility, progress and cancellation.
@Suite struct BoostingModelTests {
    @Test func familiarNamesReachTheSameModel() throws {
        for alias in ["lightgbm.LGBMClassifier", "xgboost.XGBClassifier", "sklearn.ensemble.HistGradientBoostingClassifier",
                      "sklearn.ensemble.GradientBoostingClassifier"] {
            #expect(ModelCatalog.lookup(alias)?.name == "GradientBoostingClassifier")
        }
        for alias in ["lightgbm.LGBMRegressor", "xgboost.XGBRegressor", "sklearn.ensemble.HistGradientBoostingRegressor",
                      "sklearn.ensemble.GradientBoostingRegressor"] {
            #expect(ModelCatalog.lookup(alias)?.name == "GradientBoostingRegressor")
        }
        let d = try ModelCatalog.require("lightgbm.LGBMClassifier")
        let lightgbm: [String: JSON] = ["num_boost_round": 50, "num_leaves": 15, "min_data_in_leaf": 5, "bagging_fraction": 0.8,
                                        "bagging_freq": 1, "feature_fraction": 0.9, "lambda_l2": 1.0, "max_bin": 63,
                                        "min_gain_to_split": 0.0, "early_stopping_round": 5, "objective": "binary", "n_jobs": 2]
        let (p, problems) = d.resolve(TreeTestData.object(lightgbm))
        #expect(problems.isEmpty, "\(problems)")
        #expect(p.int("n_estimators") == 50 && p.int("max_bins") == 63 && p.double("subsample") == 0.8)
        #expect(p.double("reg_lambda") == 1.0 && p.int("min_child_samples") == 5 && p.int("early_stopping_rounds") == 5)
        let sklearn: [String: JSON] = ["max_iter": 30, "max_leaf_nodes": 7, "min_samples_leaf": 3, "l2_regularization": 0.5,
                                       "max_bins": 128, "n_iter_no_change": 4]
        let (q, sklearnProblems) = d.resolve(TreeTestData.object(sklearn))
        #expect(sklearnProblems.isEmpty, "\(sklearnProblems)")
        #expect(q.int("n_estimators") == 30 && q.optionalInt("num_leaves") == 7 && q.int("early_stopping_rounds") == 4)
        let xgboost: [String: JSON] = ["n_estimators": 30, "eta": 0.3, "max_leaves": 16, "reg_alpha": 0.1, "gamma": 0.5,
                                       "colsample_bytree": 0.7, "min_child_weight": 1.0, "max_depth": 6]
        let (r, xgboostProblems) = d.resolve(TreeTestData.object(xgboost))
        #expect(xgboostProblems.isEmpty, "\(xgboostProblems)")
        #expect(r.double("learning_rate") == 0.3 && r.double("min_split_gain") == 0.5)
    }

    @Test func aOneLeafTreeIsRejected() throws {
        let error = try #require(throws: MMPError.self) {
            try TreeTestData.fit("GradientBoostingClassifier", ["num_leaves": 1], on: TreeTestData.xor(rows: 50))
        }
        #expect(error.message.contains("num_leaves"))
    }

    @Test func oneValueGivenTwiceUnderTwoNamesIsAnError() throws {
        let d = try ModelCatalog.require("GradientBoostingClassifier")
        let (_, problems) = d.resolve(TreeTestData.object(["n_estimators": 10, "num_boost_round": 20]))
        #expect(problems.count == 1)
        let (_, typo) = d.resolve(TreeTestData.object(["num_leafs": 10]))
        #expect(typo.first?.message.contains("num_leaves") == true)
    }

    @Test func earlyStoppingKeepsTheBestIterationOnTheValidationRows() throws {
        let all = TreeTestData.xor(rows: 1500, noise: 6)
        var (train, validation) = TreeTestData.holdOut(all, every: 4)
        train.validation = EvaluationSet(features: validation.features, target: validation.target)
        let model = try TreeTestData.fit("GradientBoostingClassifier",
                                         ["n_estimators": 2000, "learning_rate": 0.3, "early_stopping_rounds": 5], on: train)
        let s = model.summary
        let kept = try #require(s["iterations"]?.intValue), run = try #require(s["iterations_run"]?.intValue)
        #expect(kept < 2000 && run == kept + 5, "\(s)")
        #expect(s["trees"]?.intValue == kept)
        #expect(s["best_iteration"]?.intValue == kept)
        // Without validation rows the same settings run every iteration (or stop when nothing splits).
        train.validation = nil
        let full = try TreeTestData.fit("GradientBoostingClassifier", ["n_estimators": 60, "early_stopping_rounds": 5], on: train)
        #expect(full.summary["iterations"]?.intValue == 60)
    }

    @Test func multiclassProbabilitiesSumToOneAndLearnTheClasses() throws {
        let (train, test) = TreeTestData.holdOut(TreeTestData.threeClasses(rows: 1500), every: 3)
        let model = try TreeTestData.fit("GradientBoostingClassifier", ["n_estimators": 60], on: train)
        #expect(model.summary["trees"]?.intValue == 180, "one tree per class per iteration")
        let p = try #require(model.predictProbabilities(test.features))
        for r in 0..<p.rows { #expect(abs(Array(p.row(r)).reduce(0, +) - 1) < 1e-9) }
        #expect(TreeTestData.accuracy(model, test) > 0.93)
    }

    @Test func regressorLearnsANonlinearFunction() throws {
        let (train, test) = TreeTestData.holdOut(TreeTestData.wave(rows: 3000), every: 4)
        let model = try TreeTestData.fit("GradientBoostingRegressor", ["n_estimators": 200], on: train)
        #expect(TreeTestData.r2(model, test) > 0.97)
        let importances = try #require(model.featureImportances)
        #expect(importances[2] < 0.05, "the noise feature gains little: \(importances)")
    }

    @Test func theSameSeedGivesTheSameModelOnAnyThreadCount() throws {
        // Large enough for parallel histogram builds (row chunks) and partitions.
        let data = TreeTestData.xor(rows: 80_000, noise: 4)
        let params: [String: JSON] = ["n_estimators": 8, "subsample": 0.7, "colsample_bytree": 0.8]
        let one = try TreeTestData.fit("GradientBoostingClassifier", params, on: data, seed: 3, threads: 1)
        let two = try TreeTestData.fit("GradientBoostingClassifier", params, on: data, seed: 3, threads: 2)
        let three = try TreeTestData.fit("GradientBoostingClassifier", params, on: data, seed: 3, threads: 3)
        let probe = data.features.selecting(rows: Array(0..<2000))
        #expect(one.predictProbabilities(probe) == two.predictProbabilities(probe))
        #expect(two.predictProbabilities(probe) == three.predictProbabilities(probe))
        let reseeded = try TreeTestData.fit("GradientBoostingClassifier", params, on: data, seed: 4, threads: 2)
        #expect(reseeded.predictProbabilities(probe) != two.predictProbabilities(probe), "the seed draws rows and features")
    }

    @Test func limitsShapeTheTrees() throws {
        let data = TreeTestData.wave(rows: 2000)
        let stumps = try TreeTestData.fit("GradientBoostingRegressor", ["n_estimators": 10, "max_depth": 1], on: data)
        #expect(stumps.summary["leaves"]?.intValue == 20)
        let small = try TreeTestData.fit("GradientBoostingRegressor", ["n_estimators": 10, "num_leaves": 4], on: data)
        #expect(small.summary["leaves"]?.intValue == 40)
        // No split leaves two children of 1500 rows: as LightGBM, training stops at once and the
        // model predicts the mean.
        let huge = try TreeTestData.fit("GradientBoostingRegressor", ["n_estimators": 3, "min_child_samples": 1500], on: data)
        #expect(huge.summary["trees"]?.intValue == 0)
        let mean = data.target.reduce(0, +) / Double(data.target.count)
        #expect(huge.predict(data.features.selecting(rows: [0, 1])).allSatisfy { abs($0 - mean) < 1e-9 })
    }

    @Test func progressRisesToOneAndCancellationStops() throws {
        let data = TreeTestData.xor(rows: 500)
        let seen = Mutex<[Double]>([])
        let context = FitContext(seed: 1, threads: 2, progress: { p in seen.withLock { $0.append(p) } })
        _ = try TreeTestData.fit("GradientBoostingClassifier", ["n_estimators": 20], on: data, context: context)
        let values = seen.withLock { $0 }
        #expect(values.count == 20 && values.last == 1)
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 < $1 })

        let calls = Atomic<Int>(0)
        let cancelling = FitContext(seed: 1, threads: 2, isCancelled: { calls.add(1, ordering: .relaxed).newValue > 3 })
        let error = try #require(throws: MMPError.self) {
            try TreeTestData.fit("GradientBoostingClassifier", ["n_estimators": 100], on: data, context: cancelling)
        }
        #expect(error.kind == .cancelled)
    }
}

/// Unlimited `num_leaves`: growth until `min_child_samples` stops it, with the leaf histograms
/// kept as a cache when they do not all fit the memory budget.
@Suite struct BoostingUnlimitedLeavesTests {
    @Test func unlimitedLeavesGrowUntilLeavesAreTooSmall() throws {
        let data = TreeTestData.wave(rows: 2000)
        let model = try TreeTestData.fit("GradientBoostingRegressor",
                                         ["n_estimators": 2, "num_leaves": nil, "min_child_samples": 50], on: data)
        let leaves = try #require(model.summary["leaves"]?.intValue)
        #expect(leaves > 2 * 31 && leaves <= 2 * 40, "2000 rows in leaves of at least 50: \(leaves)")
    }

    @Test func evictedHistogramsAreRebuiltToTheSameTree() throws {
        let data = TreeTestData.xor(rows: 3000, noise: 6)
        func train(budget: Int) throws -> BoostedEnsemble {
            var settings = try BoostingModels.settings(try ModelCatalog.require("GradientBoostingClassifier")
                .resolve(TreeTestData.object(["n_estimators": 5, "num_leaves": 0, "min_child_samples": 10])).0)
            settings.histogramBudget = budget
            return try GradientBooster.train(features: data.features, target: data.target, objective: .binaryLogLoss(),
                                             settings: settings, validation: nil, context: FitContext(seed: 1, threads: 2))
        }
        let roomy = try train(budget: 1 << 30)
        let tight = try train(budget: 1)  // three histograms: most leaves lose theirs
        #expect(roomy.trees.map(\.nodeCount) == tight.trees.map(\.nodeCount))
        #expect(roomy.trees.map(\.feature) == tight.trees.map(\.feature))
        let a = roomy.rawScores(data.features), b = tight.rawScores(data.features)
        #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(roomy.trees[0].leafCount > 50)
    }
}
