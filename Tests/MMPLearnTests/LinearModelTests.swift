import MMPCore
import Testing
@testable import MMPLearn

/// Linear models beyond the scikit-learn fixtures: saving and loading, determinism across
/// thread counts, probabilities, sparsity, and clear errors.
@Suite struct LinearModelTests {
    /// A separable-ish binary problem with a known direction, n rows × d features.
    static func problem(n: Int, d: Int, classes: Int = 2, seed: Int = 1) -> TrainingSet {
        var g = SeededGenerator(seed: seed)
        var x = [Double](repeating: 0, count: n * d)
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var scores = [Double](repeating: 0, count: classes)
            for j in 0..<d {
                let v = g.unit() * 4 - 2
                x[i * d + j] = v
                for c in 0..<classes { scores[c] += v * Double((j + c) % 3 - 1) }
            }
            if classes == 2 { y[i] = scores[0] + (g.unit() - 0.5) > 0 ? 1 : 0 }
            else { y[i] = Double(scores.indices.max { scores[$0] < scores[$1] }!) }
        }
        return TrainingSet(features: Matrix(rows: n, columns: d, values: x), target: y, classCount: classes,
                           featureNames: (0..<d).map { "f\($0)" })
    }

    func fit(_ name: String, _ hp: JSONObject = JSONObject(), on set: TrainingSet, threads: Int = 2) throws -> any TrainedModel {
        let descriptor = try ModelCatalog.require(name)
        let (params, problems) = descriptor.resolve(hp)
        try #require(problems.isEmpty, "\(problems)")
        return try descriptor.make(params).fit(set, context: FitContext(seed: 1, threads: threads))
    }

    func roundTrip(_ model: any TrainedModel) throws -> any TrainedModel {
        var writer = ByteWriter()
        ModelCodec.encode(model, to: &writer)
        var reader = ByteReader(writer.bytes)
        let decoded = try ModelCodec.decode(from: &reader)
        #expect(reader.isAtEnd)
        return decoded
    }

    @Test func logisticRegressionIsTheSameOnOneThreadOrTwo() throws {
        // More rows than one chunk so the parallel reduction really splits.
        let set = Self.problem(n: 40_000, d: 7)
        let one = try #require(try fit("LogisticRegression", on: set, threads: 1) as? LogisticRegressionModel)
        let two = try #require(try fit("LogisticRegression", on: set, threads: 2) as? LogisticRegressionModel)
        #expect(one.parameters == two.parameters)
        #expect(one.converged)
    }

    @Test func logisticRegressionSavesAndLoads() throws {
        for classes in [2, 4] {
            let set = Self.problem(n: 600, d: 5, classes: classes)
            let model = try fit("sklearn.linear_model.LogisticRegression", .of(["C": 0.5]), on: set)
            let loaded = try roundTrip(model)
            #expect(loaded.predict(set.features) == model.predict(set.features))
            let p = try #require(loaded.predictProbabilities(set.features))
            #expect(p.columns == classes)
            for i in 0..<p.rows { #expect(abs(p.row(i).reduce(0, +) - 1) < 1e-12) }
            let accuracy = zip(model.predict(set.features), set.target).filter { $0 == $1 }.count
            #expect(Double(accuracy) / Double(set.target.count) > 0.8, "\(classes) classes: accuracy \(accuracy)/\(set.target.count)")
        }
    }

    @Test func strongerPenaltyShrinksCoefficients() throws {
        let set = Self.problem(n: 800, d: 6)
        let loose = try #require(try fit("LogisticRegression", .of(["C": 100.0]), on: set) as? LogisticRegressionModel)
        let tight = try #require(try fit("LogisticRegression", .of(["C": 0.001]), on: set) as? LogisticRegressionModel)
        let norm = { (m: LogisticRegressionModel) in m.coefficients(0).reduce(0) { $0 + $1 * $1 } }
        #expect(norm(tight) < norm(loose) / 10)
    }

    @Test func regressionModelsSaveLoadAndRecoverALinearSignal() throws {
        var g = SeededGenerator(seed: 5)
        let n = 500, d = 4
        let truth: [Double] = [3, -2, 0, 0.5]
        var x = [Double](), y = [Double]()
        for _ in 0..<n {
            let row = (0..<d).map { _ in g.unit() * 2 - 1 }
            x += row
            y.append(zip(row, truth).reduce(7) { $0 + $1.0 * $1.1 } + (g.unit() - 0.5) * 0.01)
        }
        let set = TrainingSet(features: Matrix(rows: n, columns: d, values: x), target: y, classCount: 0, featureNames: ["a", "b", "c", "d"])
        for name in ["LinearRegression", "Ridge", "ElasticNet", "Lasso"] {
            let hp: JSONObject = name == "Ridge" ? .of(["alpha": 0.01]) : (name == "LinearRegression" ? JSONObject() : .of(["alpha": 0.001]))
            let model = try #require(try roundTrip(try fit(name, hp, on: set)) as? LinearRegressionModel)
            for (w, t) in zip(model.coefficients, truth) { #expect(abs(w - t) < 0.02, "\(name): \(model.coefficients)") }
            #expect(abs(model.intercept - 7) < 0.02, "\(name) intercept \(model.intercept)")
        }
        // A strong L1 penalty zeroes the weak coefficients.
        let sparse = try #require(try fit("Lasso", .of(["alpha": 0.5]), on: set) as? LinearRegressionModel)
        #expect(sparse.coefficients[2] == 0 && sparse.coefficients[3] == 0)
        #expect(sparse.coefficients[0] > 0)
    }

    @Test func missingValuesAreAClearError() throws {
        var set = Self.problem(n: 10, d: 3)
        set.features[4, 1] = .nan
        for name in ["LogisticRegression"] {
            let error = try #require(throws: MMPError.self) { try fit(name, on: set) }
            #expect(error.message.contains("simple_imputer") && error.message.contains("'f1'"))
        }
        var regression = set
        regression.classCount = 0
        let error = try #require(throws: MMPError.self) { try fit("Ridge", on: regression) }
        #expect(error.message.contains("'f1'") && error.message.contains("row 5"))
    }

    @Test func hyperparametersAreCheckedWithTheirSklearnNames() throws {
        let descriptor = try ModelCatalog.require("LogisticRegression")
        let (_, problems) = descriptor.resolve(.of(["C": -1.0, "max_itr": 10, "penalty": "l3"]))
        #expect(problems.count == 3)
        #expect(problems.contains { $0.name == "max_itr" && $0.message.contains("max_iter") })
        #expect(ModelCatalog.lookup("sklearn.linear_model.ElasticNet")?.name == "ElasticNet")
        #expect(ModelCatalog.lookup("sklearn.linear_model.Lasso")?.task == .regression)
    }
}
