import MMPCore
import Testing
@testable import MMPLearn

/// `predictWithProbabilities` (one pass, used by the prediction pipeline) gives exactly what
/// `predict` and `predictProbabilities` give one by one.
@Suite struct PredictWithProbabilitiesTests {
    static func expectSame(_ model: any TrainedModel, _ x: Matrix, sourceLocation: SourceLocation = #_sourceLocation) {
        let both = model.predictWithProbabilities(x)
        #expect(both.predictions == model.predict(x), sourceLocation: sourceLocation)
        #expect(both.probabilities == model.predictProbabilities(x), sourceLocation: sourceLocation)
    }

    @Test func boostingBinaryMulticlassAndCalibrated() throws {
        let binary = TreeTestData.xor(rows: 400)
        let booster = try TreeTestData.fit("GradientBoostingClassifier", ["n_estimators": 20], on: binary)
        Self.expectSame(booster, binary.features)
        let three = TreeTestData.threeClasses(rows: 300)
        Self.expectSame(try TreeTestData.fit("GradientBoostingClassifier", ["n_estimators": 10], on: three), three.features)
        for method in CalibrationMethod.allCases {
            let calibrated = try CalibratedClassifier.fit(booster, method: method, features: binary.features, target: binary.target, classCount: 2)
            Self.expectSame(calibrated, binary.features)
        }
        // Models without their own: the default asks each.
        Self.expectSame(try TreeTestData.fit("RandomForestClassifier", ["n_estimators": 5], on: binary), binary.features)
        let wave = TreeTestData.wave(rows: 200)
        let regressor = try TreeTestData.fit("GradientBoostingRegressor", ["n_estimators": 5], on: wave)
        #expect(regressor.predictWithProbabilities(wave.features).probabilities == nil)
    }
}
