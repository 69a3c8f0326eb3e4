import MMPCore
import Testing
@testable import MMPLearn

/// GaussianNB against scikit-learn (Fixtures/misc_naive_bayes.json).
@Suite struct NaiveBayesReferenceTests {
    @Test func matchesScikitLearnOnEveryFixtureCase() throws {
        let root = try MiscFixtures.load("misc_naive_bayes")
        let tolerance = MiscFixtures.number(root, "tolerance"), probabilityTolerance = MiscFixtures.number(root, "probability_tolerance")
        let cases = try MiscFixtures.cases("misc_naive_bayes", task: .classification)
        #expect(cases.count == 4)
        for c in cases {
            let model = try c.fit()
            let ours = try MiscFixtures.score(model, c, task: .classification, names: Array(c.metrics.keys))
            for (name, expected) in c.metrics {
                let value = try #require(ours[name], "\(c.name): no \(name)")
                #expect(abs(value - expected) <= tolerance, "\(c.name) \(name): ours \(value), scikit-learn \(expected)")
            }
            #expect(model.predict(c.testFeatures) == c.expectedPredictions, "\(c.name): predictions differ")
            let p = try #require(model.predictProbabilities(c.testFeatures))
            let expected = try #require(c.expectedProbabilities)
            var worst = 0.0
            for r in 0..<p.rows { for k in 0..<p.columns { worst = max(worst, abs(p[r, k] - expected[r][k])) } }
            #expect(worst <= probabilityTolerance, "\(c.name): probabilities differ by up to \(worst)")
        }
    }

    @Test func bundleRoundTripPredictsTheSame() throws {
        let c = try MiscFixtures.cases("misc_naive_bayes", task: .classification)[1]
        let model = try c.fit()
        let loaded = try roundTrip(model)
        #expect(loaded is TrainedGaussianNB)
        #expect(loaded.predictProbabilities(c.testFeatures) == model.predictProbabilities(c.testFeatures))
    }

    /// A missing value leaves its feature out of the product: the answer equals that of a model
    /// that never saw the feature (up to the smoothing term, which uses the largest variance).
    @Test func missingFeatureIsMarginalisedOut() throws {
        let c = try MiscFixtures.cases("misc_naive_bayes", task: .classification)[0]
        let full = try c.fit()
        let without = try GaussianNBEstimator(varSmoothing: 1e-9).fit(
            TrainingSet(features: dropFirstColumn(c.train.features), target: c.train.target, classCount: c.train.classCount,
                        featureNames: Array(c.train.featureNames.dropFirst())), context: FitContext())
        var blanked = c.testFeatures
        for r in 0..<blanked.rows { blanked[r, 0] = .nan }
        let a = try #require(full.predictProbabilities(blanked)), b = try #require(without.predictProbabilities(dropFirstColumn(c.testFeatures)))
        for i in a.values.indices { #expect(abs(a.values[i] - b.values[i]) < 1e-6) }
        // …and the blanked feature did matter for some row, so the test can tell.
        let original = try #require(full.predictProbabilities(c.testFeatures))
        #expect(zip(original.values, a.values).contains { abs($0 - $1) > 1e-3 })
    }

    @Test func refusesMissingTrainingValuesNamingTheFeature() throws {
        var x = Matrix(rows: 4, columns: 2, values: [1, 2, 3, 4, 5, .nan, 7, 8])
        x[0, 0] = 1
        let data = TrainingSet(features: x, target: [0, 1, 0, 1], classCount: 2, featureNames: ["a", "b"])
        do {
            _ = try GaussianNBEstimator(varSmoothing: 1e-9).fit(data, context: FitContext())
            Issue.record("expected an error")
        } catch let error as MMPError {
            #expect(error.kind == .invalidData)
            #expect(error.message.contains("'b'") && error.message.contains("row 3") && error.message.contains("simple_imputer"))
        }
    }

    @Test func catalogKnowsTheScikitLearnName() throws {
        let d = try #require(ModelCatalog.lookup("sklearn.naive_bayes.GaussianNB"))
        #expect(d.name == "GaussianNB" && d.task == .classification)
        let (_, problems) = d.resolve(JSONObject([("var_smoothing", .double(2))]))
        #expect(problems.count == 1)
    }

    private func dropFirstColumn(_ m: Matrix) -> Matrix {
        Matrix(columnArrays: (1..<m.columns).map { m.column($0) })
    }
}
