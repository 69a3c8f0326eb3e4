import MMPCore
import Testing
@testable import MMPLearn

/// SVC and SVR against scikit-learn's (libsvm) on our splits of the bundled datasets
/// (scripts/reference/models_reference.py, svm_*.json): every test metric within the fixture's
/// tolerance (0.01), and for the deterministic parts (decision values, predictions, support
/// vector counts) much closer.
@Suite struct SVMReferenceTests {
    static let cases = ReferenceFixture.names(prefix: "svm_")

    @Test(arguments: cases)
    func matchesScikitLearn(_ name: String) throws {
        let reference = try ReferenceCase(name)
        let outcome = try reference.run(threads: 2)
        try reference.expectMatches(outcome)
        let json = reference.json
        if let expected = json["sklearn_support_vectors"]?.intValue {
            let ours = outcome.model.summary["support_vectors"]?.intValue ?? -1
            // The dual optimum is unique up to the stopping tolerance: a vector or two may sit on the margin.
            #expect(abs(ours - expected) <= max(2, expected / 50), "\(name): \(ours) support vectors, scikit-learn \(expected)")
        }
    }

    @Test func decisionValuesMatchLibsvm() throws {
        // Binary RBF on breast cancer: scikit-learn's decision_function on the first test rows.
        let reference = try ReferenceCase("svm_breast_cancer_rbf")
        let outcome = try reference.run(threads: 1)
        let svc = try #require(outcome.model as? TrainedSVC)
        let head = try #require(reference.json["sklearn_decision_head"]?.arrayValue)
        let test = try testRows(reference, features: outcome.features)
        let ours = svc.decisions(test)
        for (r, row) in head.enumerated() {
            // scikit-learn flips the sign for two classes (positive means the second class).
            let want = try #require(row.arrayValue?.first?.doubleValue)
            #expect(abs(-ours[r] - want) <= 2e-3, "row \(r): ours \(-ours[r]), scikit-learn \(want)")
        }
    }

    @Test func roundTripsThroughTheCodec() throws {
        for name in ["svm_iris_rbf_probability", "svm_diabetes_svr_rbf"] {
            let outcome = try ReferenceCase(name).run(threads: 2)
            var writer = ByteWriter()
            ModelCodec.encode(outcome.model, to: &writer)
            var reader = ByteReader(writer.bytes)
            let back = try ModelCodec.decode(from: &reader)
            let x = Matrix(rows: 3, columns: outcome.features.count, values: (0..<(3 * outcome.features.count)).map { Double($0 % 7) / 7 - 0.5 })
            #expect(back.predict(x) == outcome.model.predict(x))
            #expect(back.predictProbabilities(x) == outcome.model.predictProbabilities(x))
        }
    }

    @Test func calibratesDecisionScoresWhenThereAreNoProbabilities() throws {
        // SVC without probability: calibration maps its decision scores, as CalibratedClassifierCV.
        let reference = try ReferenceCase("svm_breast_cancer_rbf")
        let outcome = try reference.run(threads: 1)
        let x = try testRows(reference, features: outcome.features)
        #expect(outcome.model.predictProbabilities(x) == nil)
        // Targets: the model's own predictions with every fifth flipped (not separable by score).
        let y = outcome.model.predict(x).enumerated().map { $0.offset % 5 == 0 ? 1 - $0.element : $0.element }
        #expect(Set(y).count == 2)
        let calibrated = try CalibratedClassifier.fit(outcome.model, method: .sigmoid, features: x, target: y, classCount: 2)
        let p = try #require(calibrated.predictProbabilities(x))
        #expect((0..<x.rows).allSatisfy { p[$0, 0] >= 0 && p[$0, 1] <= 1 && abs(p[$0, 0] + p[$0, 1] - 1) < 1e-12 })
        // Monotone in the decision value: the larger the second class's score, the larger its probability.
        let scores = (outcome.model as! TrainedSVC).decisionScores(x)
        let order = (0..<x.rows).sorted { scores[$0, 1] < scores[$1, 1] }
        #expect(zip(order, order.dropFirst()).allSatisfy { p[$0.0, 1] <= p[$0.1, 1] + 1e-12 })
    }

    @Test func refusesMissingValues() throws {
        let descriptor = try #require(ModelCatalog.lookup("sklearn.svm.SVC"))
        let x = Matrix(rows: 4, columns: 1, values: [0, .nan, 1, 2])
        #expect(throws: MMPError.self) {
            try descriptor.make(descriptor.resolve(JSONObject()).0).fit(TrainingSet(features: x, target: [0, 0, 1, 1], classCount: 2, featureNames: ["a"]), context: FitContext())
        }
    }

    /// The test rows of a case after its steps, as ReferenceCase builds them.
    private func testRows(_ reference: ReferenceCase, features: [String]) throws -> Matrix {
        let json = reference.json
        var table = try ReferenceFixture.dataset(try #require(json["dataset"]?.stringValue))
        let target = try #require(json["target"]?.stringValue)
        let labels = try LabelEncoding(fitting: try table.require(target))
        let split = try json.require("split")
        let indices = Splitter.random(rowCount: table.rowCount,
                                      fractions: SplitFractions(train: try split.double("train"), test: try split.double("test")),
                                      strata: labels.encode(try table.require(target)).map { Int($0) }, seed: try #require(split["seed"]?.intValue))
        table = try table.selecting(columns: features + [target])
        var train = table.selecting(rows: indices.train), test = table.selecting(rows: indices.test)
        let scaler = try PreprocessorCatalog.require("standard_scaler")
        let fitted = try scaler.make(scaler.resolve(JSONObject()).0).fit(train, columns: features)
        train = try fitted.transform(train, mode: .training)
        test = try fitted.transform(test, mode: .training)
        return try FeatureMatrix.build(test, columns: features)
    }
}
