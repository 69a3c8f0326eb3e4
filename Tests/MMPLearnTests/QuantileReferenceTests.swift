import MMPCore
@testable import MMPLearn
import Testing

/// Quantile boosting and the quantile ensemble against LightGBM's objective quantile on the same
/// rows (Fixtures/quantile_*.json, scripts/reference/quantile_reference.py): pinball losses no
/// more than the fixture's tolerance above LightGBM's (3% on Friedman, 10% on diabetes' 309 rows).
@Suite struct QuantileReferenceTests {
    struct Data {
        var train: TrainingSet
        var test: EvaluationSet
    }

    static func data(_ fixture: JSON) throws -> Data {
        let table = try ReferenceFixture.dataset(try #require(fixture["data"]?.stringValue))
        let features = try #require(fixture["features"]?.arrayValue).compactMap(\.stringValue)
        let targetName = try #require(fixture["target"]?.stringValue)
        let target = try #require(table.column(targetName)?.doubles)
        let x = try FeatureMatrix.build(table, columns: features)
        let split = Splitter.random(rowCount: table.rowCount, fractions: SplitFractions(train: 0.7, test: 0.3), seed: 42)
        return Data(train: TrainingSet(features: x.selecting(rows: split.train), target: split.train.map { target[$0] }, classCount: 0,
                                       featureNames: features),
                    test: EvaluationSet(features: x.selecting(rows: split.test), target: split.test.map { target[$0] }))
    }

    static func parameters(_ fixture: JSON) -> JSONObject { fixture["parameters"]?.objectValue ?? JSONObject() }

    @Test(arguments: ["quantile_friedman", "quantile_diabetes"])
    func ensembleMatchesLightGBMPerLevel(_ name: String) throws {
        let fixture = try ReferenceFixture.load(name)
        let tolerance = try #require(fixture["tolerance"]?["pinball_relative"]?.doubleValue)
        let data = try Self.data(fixture)
        let descriptor = try ModelCatalog.require("mmp.models.custom.quantile_ensemble.QuantileRegressorEnsemble")
        var values = Self.parameters(fixture)
        values["base_class_path"] = "lightgbm.LGBMRegressor"
        values["quantiles"] = .array([0.9, 0.1, 0.5])
        let (p, problems) = descriptor.resolve(values)
        #expect(problems.isEmpty, "\(problems)")
        let model = try #require(try descriptor.make(p).fit(data.train, context: FitContext(seed: 42)) as? QuantileEnsembleModel)
        let quantiles = model.predictQuantiles(data.test.features)
        #expect(quantiles.map(\.level) == [0.1, 0.5, 0.9], "levels are sorted")
        let perLevel = try #require(fixture["per_level"]?.objectValue)
        for q in quantiles {
            let reference = try #require(perLevel[q.label]?["pinball_loss"]?.doubleValue)
            let ours = try #require(QuantileMetrics.pinball(data.test.target, q.values, level: q.level))
            // No worse than LightGBM beyond the tolerance; a much lower loss would mean a bug too.
            #expect(ours <= (1 + tolerance) * reference && ours >= 0.85 * reference,
                    "\(name) \(q.label): pinball ours \(ours), LightGBM \(reference) (+\(tolerance) / -0.15 relative)")
        }
        // No crossing, and the median is what predict() gives.
        for r in 0..<data.test.features.rows {
            #expect(quantiles[0].values[r] <= quantiles[1].values[r] && quantiles[1].values[r] <= quantiles[2].values[r])
        }
        #expect(model.predict(data.test.features) == quantiles[1].values)
        let coverage = try #require(QuantileMetrics.coverage(data.test.target, lower: quantiles[0].values, upper: quantiles[2].values))
        let referenceCoverage = try #require(fixture["interval_coverage"]?.doubleValue)
        #expect(abs(coverage - referenceCoverage) <= 0.05, "interval coverage ours \(coverage), LightGBM \(referenceCoverage)")
    }

    @Test func boostingObjectiveQuantileMatchesLightGBM() throws {
        let fixture = try ReferenceFixture.load("quantile_friedman")
        let data = try Self.data(fixture)
        let descriptor = try ModelCatalog.require("lightgbm.LGBMRegressor")
        var values = Self.parameters(fixture)
        values["objective"] = "quantile"
        values["alpha"] = 0.9
        let (p, problems) = descriptor.resolve(values)
        #expect(problems.isEmpty, "\(problems)")
        let model = try descriptor.make(p).fit(data.train, context: FitContext(seed: 42))
        #expect(model.summary["quantile_alpha"]?.doubleValue == 0.9)
        let ours = try #require(QuantileMetrics.pinball(data.test.target, model.predict(data.test.features), level: 0.9))
        let reference = try #require(fixture["per_level"]?["p90"]?["pinball_loss"]?.doubleValue)
        #expect(ours <= 1.03 * reference && ours >= 0.85 * reference, "p90: pinball ours \(ours), LightGBM \(reference)")
        // The metric reads the model's level from its summary.
        var input = MetricInput(truth: data.test.target, predicted: model.predict(data.test.features))
        input.modelFigures["quantile_alpha"] = 0.9
        #expect(MetricCatalog.lookup("pinball_loss", task: .regression)?.compute(input) == ours)
    }

    @Test func rearrangementStopsCrossing() throws {
        // Two boosters whose raw predictions cross: the ensemble's rows come out sorted.
        let x = Matrix(rows: 4, columns: 1, values: [0, 1, 2, 3])
        struct Fixed: TrainedModel {
            static let typeName = "test.fixed"
            var values: [Double]
            func predict(_ features: Matrix) -> [Double] { values }
            func encode(to writer: inout ByteWriter) {}
            init(values: [Double]) { self.values = values }
            init(from reader: inout ByteReader) throws { values = [] }
        }
        let model = QuantileEnsembleModel(levels: [0.1, 0.9], models: [Fixed(values: [1, 5, 2, 8]), Fixed(values: [2, 3, 4, 7])])
        let q = model.predictQuantiles(x)
        #expect(q[0].values == [1, 3, 2, 7])
        #expect(q[1].values == [2, 5, 4, 8])
        #expect(q.map(\.label) == ["p10", "p90"])
    }
}
