#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore
import Testing
@testable import MMPLearn

/// Hyperparameters the Python tool's catalog writes that mmp used to refuse: L1 and elastic-net
/// logistic regression, best-first trees (`max_leaf_nodes`), `min_weight_fraction_leaf`,
/// XGBoost's `scale_pos_weight` and per-level/per-node column shares, LightGBM's `cat_smooth`.
@Suite struct PythonCatalogParameterTests {
    /// Two informative features out of six, standardised-ish: an L1 fit should keep those two.
    static func logistic(rows: Int = 800, classes: Int = 2, seed: Int = 5) -> TrainingSet {
        var g = SeededGenerator(seed: seed)
        var values: [Double] = [], target: [Double] = []
        for _ in 0..<rows {
            let x = (0..<6).map { _ in g.unit() * 2 - 1 }
            values += x
            let z = 3 * x[0] - 2 * x[1] + 0.3
            if classes == 2 {
                target.append(g.unit() < 1 / (1 + exp(-z)) ? 1 : 0)
            } else {
                target.append(z + (g.unit() - 0.5) < -0.5 ? 0 : (z < 1 ? 1 : 2))
            }
        }
        return TrainingSet(features: Matrix(rows: rows, columns: 6, values: values), target: target, classCount: classes,
                           featureNames: (0..<6).map { "x\($0)" })
    }

    /// The optimality conditions of (1/n)Σ loss + λ‖w‖₁ + μ‖w‖²/2: for w_j ≠ 0 the smooth gradient
    /// is −λ·sign(w_j), for w_j = 0 it lies in [−λ, λ]; the intercept's gradient is 0.
    func checkOptimality(_ data: TrainingSet, c: Double, l1Share: Double, tolerance: Double) throws {
        let penalty = l1Share == 1 ? "l1" : "elasticnet"
        let model = try TreeTestData.fit("LogisticRegression", ["penalty": .string(penalty), "C": .double(c), "l1_ratio": .double(l1Share),
                                                                "tol": 1e-10, "max_iter": 5000], on: data)
        let fitted = try #require(model as? LogisticRegressionModel)
        let n = Double(data.features.rows)
        let objective = LogisticObjective(features: data.features, target: data.target, weights: nil, outputs: fitted.outputs,
                                          fitIntercept: true, l2: (1 - l1Share) / (c * n), weightSum: n, threads: 1)
        var gradient = [Double](repeating: 0, count: objective.parameterCount)
        _ = objective.evaluate(fitted.parameters, &gradient)
        let lambda = l1Share / (c * n)
        for row in 0..<fitted.outputs {
            for j in 0..<6 {
                let w = fitted.parameters[row * 7 + j], g = gradient[row * 7 + j]
                if w != 0 {
                    #expect(abs(g + lambda * (w > 0 ? 1 : -1)) < tolerance, "row \(row) feature \(j): w \(w), gradient \(g), λ \(lambda)")
                } else {
                    #expect(abs(g) <= lambda + tolerance, "row \(row) feature \(j): zero weight, gradient \(g) beyond λ \(lambda)")
                }
            }
            #expect(abs(gradient[row * 7 + 6]) < tolerance, "intercept gradient \(gradient[row * 7 + 6])")
        }
    }

    @Test func l1LogisticRegressionMeetsItsOptimalityConditionsAndKeepsTheInformativeFeatures() throws {
        let data = Self.logistic()
        try checkOptimality(data, c: 0.05, l1Share: 1, tolerance: 1e-6)
        let model = try #require(try TreeTestData.fit("LogisticRegression", ["penalty": "l1", "C": 0.05, "solver": "liblinear"], on: data)
            as? LogisticRegressionModel)
        let weights = Array(model.coefficients(0))
        #expect(weights[0] > 0 && weights[1] < 0, "\(weights)")
        #expect(weights[2...].filter { $0 == 0 }.count >= 3, "L1 should zero most noise features: \(weights)")
        // Without a penalty share on L1 the same C keeps every weight.
        let l2 = try #require(try TreeTestData.fit("LogisticRegression", ["penalty": "l2", "C": 0.05], on: data) as? LogisticRegressionModel)
        #expect(Array(l2.coefficients(0)).allSatisfy { $0 != 0 })
    }

    @Test func elasticNetAndMultinomialL1MeetTheirOptimalityConditions() throws {
        try checkOptimality(Self.logistic(), c: 0.1, l1Share: 0.5, tolerance: 1e-6)
        try checkOptimality(Self.logistic(rows: 900, classes: 3), c: 0.2, l1Share: 1, tolerance: 1e-6)
    }

    @Test func maxLeafNodesGrowsBestFirstToThatManyLeaves() throws {
        let data = TreeTestData.wave(rows: 1000)
        let capped = try TreeTestData.fit("DecisionTreeRegressor", ["max_leaf_nodes": 8], on: data)
        #expect(capped.summary["leaves"]?.intValue == 8)
        let forest = try TreeTestData.fit("RandomForestRegressor", ["n_estimators": 5, "max_leaf_nodes": 20], on: data)
        #expect(forest.summary["leaves"]?.intValue == 100, "\(forest.summary)")
        // A cap no tree reaches grows the same tree as depth-first growth (nodes in another order).
        let full = try TreeTestData.fit("DecisionTreeRegressor", on: data)
        let uncapped = try TreeTestData.fit("DecisionTreeRegressor", ["max_leaf_nodes": 1_000_000], on: data)
        #expect(full.predict(data.features) == uncapped.predict(data.features))
        #expect(full.summary["leaves"] == uncapped.summary["leaves"])
        // Best-first keeps the splits that matter most: 8 leaves beat a depth-3 tree (8 leaves, level by level).
        let depth3 = try TreeTestData.fit("DecisionTreeRegressor", ["max_depth": 3], on: data)
        #expect(TreeTestData.r2(capped, data) >= TreeTestData.r2(depth3, data) - 1e-12)
        #expect(throws: MMPError.self) { try TreeTestData.fit("DecisionTreeRegressor", ["max_leaf_nodes": 1], on: data) }
    }

    @Test func minWeightFractionLeafIsAShareOfTheRows() throws {
        let data = TreeTestData.wave(rows: 1000)
        let tree = try TreeTestData.fit("DecisionTreeRegressor", ["min_weight_fraction_leaf": 0.1], on: data)
        let leaves = try #require(tree.summary["leaves"]?.intValue)
        #expect(leaves >= 2 && leaves <= 10, "every leaf holds at least 100 of 1,000 rows: \(leaves) leaves")
        let same = try TreeTestData.fit("DecisionTreeRegressor", ["min_samples_leaf": 100], on: data)
        #expect(tree.predict(data.features) == same.predict(data.features))
    }

    @Test func scalePosWeightRaisesThePositiveClassProbability() throws {
        // Labels the features cannot explain (30 % positive): the model can only learn the rate,
        // and weighting the positive rows 4× should pull it toward 4·0.3 / (4·0.3 + 0.7) ≈ 0.63.
        var g = SeededGenerator(seed: 9)
        let rows = 1200
        let data = TrainingSet(features: Matrix(rows: rows, columns: 3, values: (0..<(rows * 3)).map { _ in g.unit() }),
                               target: (0..<rows).map { _ in g.unit() < 0.3 ? 1 : 0 }, classCount: 2, featureNames: ["a", "b", "c"])
        func meanPositive(_ params: [String: JSON]) throws -> Double {
            var all: [String: JSON] = ["n_estimators": 50, "min_child_samples": 100]
            for (key, value) in params { all[key] = value }
            let model = try TreeTestData.fit("xgboost.XGBClassifier", all, on: data)
            let p = try #require(model.predictProbabilities(data.features))
            return (0..<p.rows).map { p[$0, 1] }.reduce(0, +) / Double(p.rows)
        }
        let plain = try meanPositive([:])
        #expect(try meanPositive(["scale_pos_weight": 1.0]) == plain)
        let weighted = try meanPositive(["scale_pos_weight": 4.0])
        #expect(weighted > plain + 0.1, "mean P(positive): \(plain) unweighted, \(weighted) with scale_pos_weight 4")
    }

    @Test func xgboostColumnSharesMultiplyAndLightGBMCategorySettingsAreAccepted() throws {
        let descriptor = try ModelCatalog.require("xgboost.XGBClassifier")
        let (p, problems) = descriptor.resolve(TreeTestData.object(["colsample_bytree": 0.8, "colsample_bylevel": 0.5, "colsample_bynode": 0.5,
                                                                    "cat_smooth": 10.0, "cat_l2": 10.0]))
        #expect(problems.isEmpty, "\(problems.map(\.message))")
        let settings = try BoostingModels.settings(p)
        #expect(abs(settings.colsampleByTree - 0.2) < 1e-12)
    }
}
