import MMPCore
import Testing
@testable import MMPLearn

/// Probability calibration against scikit-learn's CalibratedClassifierCV over a frozen GaussianNB
/// (scripts/reference/calibration_reference.py), on our train/calibration/test split.
@Suite struct CalibrationTests {
    static let cases = ReferenceFixture.names(prefix: "calibration_")

    @Test(arguments: cases)
    func matchesScikitLearn(_ name: String) throws {
        let fixture = try ReferenceFixture.load(name)
        let table = try ReferenceFixture.dataset(try #require(fixture["dataset"]?.stringValue))
        let target = try #require(fixture["target"]?.stringValue)
        let entities = (fixture["entities"]?.arrayValue ?? []).compactMap(\.stringValue)
        let labels = try LabelEncoding(fitting: try table.require(target))
        let y = labels.encode(try table.require(target))
        let features = fixture["features"]?.arrayValue?.compactMap(\.stringValue)
            ?? table.columnNames.filter { $0 != target && !entities.contains($0) }
        let x = try FeatureMatrix.build(table, columns: features)
        let split = try fixture.require("split")
        let parts = Splitter.random(rowCount: table.rowCount,
                                    fractions: SplitFractions(train: try split.double("train"), validation: try split.double("validation"),
                                                              test: try split.double("test"), calibration: try split.double("calibration")),
                                    strata: y.map { Int($0) }, seed: try #require(split["seed"]?.intValue))
        let k = labels.classes.count
        let descriptor = try #require(ModelCatalog.lookup("GaussianNB"))
        let base = try descriptor.make(descriptor.resolve(JSONObject()).0)
            .fit(TrainingSet(features: x.selecting(rows: parts.train), target: parts.train.map { y[$0] }, classCount: k, featureNames: features),
                 context: FitContext(threads: 1))
        let methodName = try #require(fixture["method"]?.stringValue)
        let method = try #require(CalibrationMethod(rawValue: methodName))
        let calibrated = try CalibratedClassifier.fit(base, method: method, features: x.selecting(rows: parts.calibration),
                                                      target: parts.calibration.map { y[$0] }, classCount: k)

        let testX = x.selecting(rows: parts.test), testY = parts.test.map { y[$0] }
        let p = try #require(calibrated.predictProbabilities(testX))
        let tolerance = try fixture.double("tolerance")
        let head = try #require(fixture["test_probabilities_head"]?.arrayValue)
        for (i, row) in head.enumerated() {
            for (j, value) in (row.arrayValue ?? []).enumerated() {
                #expect(abs(p[i, j] - (value.doubleValue ?? .nan)) <= tolerance, "\(name) row \(i) class \(j): ours \(p[i, j]), scikit-learn \(value)")
            }
        }
        var input = MetricInput(truth: testY, predicted: calibrated.predict(testX), probabilities: p, classCount: k)
        input.uncalibratedProbabilities = base.predictProbabilities(testX)
        // Beta calibration's reference (betacal) stops its solver at a gradient tolerance, so its
        // figures carry the fixture's tolerance; the others are exact to 1e-6.
        let metricTolerance = method == .beta ? tolerance : 1e-6
        for (metric, expected) in try #require(fixture["metrics"]?.objectValue) {
            let ours = try #require(MetricCatalog.lookup(metric, task: .classification)?.compute(input), "\(metric) not computed")
            #expect(abs(ours - (expected.doubleValue ?? .nan)) <= metricTolerance, "\(name) \(metric): ours \(ours), reference \(expected)")
        }
        // On breast cancer (113 calibration rows) calibration pays: GaussianNB's raw probabilities are
        // far too confident. (Not on wine: 36 rows across three classes are too few to beat it.)
        if name.contains("breast_cancer") {
            #expect(try fixture.double("uncalibrated_log_loss") > (fixture["metrics"]?["log_loss"]?.doubleValue ?? .infinity))
        }
    }

    @Test func roundTripsThroughTheModelCodec() throws {
        let x = Matrix(rows: 8, columns: 1, values: [0, 1, 2, 3, 4, 5, 6, 7])
        let y: [Double] = [0, 0, 0, 1, 0, 1, 1, 1]
        let descriptor = try #require(ModelCatalog.lookup("LogisticRegression"))
        let base = try descriptor.make(descriptor.resolve(JSONObject()).0).fit(TrainingSet(features: x, target: y, classCount: 2, featureNames: ["x"]), context: FitContext())
        for method in CalibrationMethod.allCases {
            let model = try CalibratedClassifier.fit(base, method: method, features: x, target: y, classCount: 2)
            var writer = ByteWriter()
            ModelCodec.encode(model, to: &writer)
            var reader = ByteReader(writer.bytes)
            let back = try ModelCodec.decode(from: &reader)
            #expect(back.predictProbabilities(x) == model.predictProbabilities(x))
            #expect(back.predict(x) == model.predict(x))
        }
    }

    @Test func betaCalibrationIsMonotoneAndFallsBackToOneFeature() {
        // Scores that only the -ln(1-s) term explains: betacal drops the negative coefficient.
        let scores = stride(from: 0.02, through: 0.98, by: 0.02).map { $0 }
        let positive = scores.enumerated().map { i, s in s > 0.5 ? i % 5 != 0 : i % 7 == 0 }
        let c = Calibrator.fitBeta(scores: scores, positive: positive)
        guard case .beta(let a, let b, _) = c else { Issue.record("not a beta calibrator"); return }
        #expect(a >= 0 && b >= 0)
        let grid = stride(from: 0.0, through: 1.0, by: 0.01).map { c($0) }
        #expect(zip(grid, grid.dropFirst()).allSatisfy { $0 <= $1 + 1e-15 })
        #expect(grid.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test func calibrationMetricsFollowTheirDefinitions() throws {
        // Two classes, positive-class probabilities 0.15 (truth 0,1) and 0.85 (truth 1,1).
        let p = Matrix(rows: 4, columns: 2, values: [0.85, 0.15, 0.85, 0.15, 0.15, 0.85, 0.15, 0.85])
        let input = MetricInput(truth: [0, 1, 1, 1], predicted: [0, 0, 1, 1], probabilities: p, classCount: 2)
        func value(_ name: String) throws -> Double { try #require(MetricCatalog.lookup(name, task: .classification)?.compute(input)) }
        // Bins (0.1, 0.2] and (0.8, 0.9]: |0.15 - 0.5| and |0.85 - 1|, each half the rows.
        #expect(abs(try value("calibration_ece") - (0.5 * 0.35 + 0.5 * 0.15)) < 1e-12)
        #expect(abs(try value("calibration_mce") - 0.35) < 1e-12)
        #expect(abs(try value("calibration_brier") - (0.15 * 0.15 + 0.85 * 0.85 + 2 * 0.15 * 0.15) / 4) < 1e-12)
        #expect(MetricCatalog.lookup("calibration_ece_uncalibrated", task: .classification)?.compute(input) == nil,
                "no uncalibrated figure for a model that was not calibrated")
    }

    @Test func isotonicCurveIsMonotoneAndClipped() {
        let c = Calibrator.fitIsotonic(scores: [0.1, 0.2, 0.2, 0.3, 0.4, 0.9], positive: [false, true, false, false, true, true])
        let grid = stride(from: -1.0, through: 2.0, by: 0.05).map { c($0) }
        #expect(zip(grid, grid.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(c(-5) == c(0.1))
        #expect(c(5) == 1)
    }
}
