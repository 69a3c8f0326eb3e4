import MMPCore
import Testing
@testable import MMPLearn

/// Random forests: reproducible on any thread count, seeded, parallel, cancellable.
@Suite struct ForestModelTests {
    @Test func sameSeedGivesTheSameForestOnOneThreadOrTwo() throws {
        let data = TreeTestData.xor(rows: 600, noise: 3)
        let one = try TreeTestData.fit("RandomForestClassifier", ["n_estimators": 20], on: data, seed: 7, threads: 1)
        let two = try TreeTestData.fit("RandomForestClassifier", ["n_estimators": 20], on: data, seed: 7, threads: 2)
        #expect(one.predictProbabilities(data.features) == two.predictProbabilities(data.features))
        let other = try TreeTestData.fit("RandomForestClassifier", ["n_estimators": 20], on: data, seed: 8, threads: 2)
        #expect(other.predictProbabilities(data.features) != two.predictProbabilities(data.features))
    }

    @Test func forestBeatsItsSingleTreeOnHeldOutRows() throws {
        let (train, test) = TreeTestData.holdOut(TreeTestData.wave(rows: 1500), every: 3)
        let tree = try TreeTestData.fit("DecisionTreeRegressor", on: train)
        let forest = try TreeTestData.fit("RandomForestRegressor", ["n_estimators": 40], on: train)
        #expect(TreeTestData.r2(forest, test) > TreeTestData.r2(tree, test))
        #expect(TreeTestData.r2(forest, test) > 0.9)
        #expect(forest.summary["trees"]?.intValue == 40)
    }

    @Test func importancesFavourTheInformativeFeatures() throws {
        let data = TreeTestData.threeClasses(rows: 800)
        let model = try TreeTestData.fit("RandomForestClassifier", ["n_estimators": 30, "max_depth": 6], on: data)
        let importances = try #require(model.featureImportances)
        #expect(importances.count == 3)
        #expect(abs(importances.reduce(0, +) - 1) < 1e-9)
        #expect(importances[0] > 3 * importances[2] && importances[1] > 3 * importances[2], "\(importances)")
    }

    @Test func withoutBootstrapAndWithAllFeaturesEveryTreeIsTheSame() throws {
        let data = TreeTestData.threeClasses(rows: 300)
        let model = try TreeTestData.fit("RandomForestClassifier",
                                         ["n_estimators": 5, "bootstrap": false, "max_features": nil], on: data)
        let forest = try #require(model as? ForestClassifier)
        #expect(Set(forest.trees.map(\.threshold)).count == 1)
    }

    @Test func cancellationStopsTheFit() throws {
        let data = TreeTestData.xor(rows: 300)
        let context = FitContext(seed: 1, threads: 2, isCancelled: { true })
        let error = try #require(throws: MMPError.self) {
            try TreeTestData.fit("RandomForestClassifier", on: data, context: context)
        }
        #expect(error.kind == .cancelled)
    }

    @Test func maxSamplesAsAShareMustBeAtMostOne() throws {
        let data = TreeTestData.xor(rows: 100)
        #expect(throws: MMPError.self) { try TreeTestData.fit("RandomForestClassifier", ["max_samples": 1.5], on: data) }
        let small = try TreeTestData.fit("RandomForestClassifier", ["n_estimators": 3, "max_samples": 0.2], on: data)
        #expect(small.summary["trees"]?.intValue == 3)
    }
}
