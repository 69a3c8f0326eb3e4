import MMPCore
@testable import MMPLearn

/// Small generated datasets for the tree model tests.
enum TreeTestData {
    /// XOR of the signs of two features, plus noise features: no linear model separates it.
    static func xor(rows: Int, noise: Int = 2, seed: Int = 1) -> TrainingSet {
        var g = SeededGenerator(seed: seed)
        var values: [Double] = []
        var target: [Double] = []
        for _ in 0..<rows {
            let a = g.unit() * 2 - 1, b = g.unit() * 2 - 1
            values += [a, b] + (0..<noise).map { _ in g.unit() }
            target.append((a > 0) != (b > 0) ? 1 : 0)
        }
        let columns = 2 + noise
        return TrainingSet(features: Matrix(rows: rows, columns: columns, values: values), target: target, classCount: 2,
                           featureNames: (0..<columns).map { "f\($0)" })
    }

    /// Three classes by the angle of (x0, x1), with a noise feature.
    static func threeClasses(rows: Int, seed: Int = 2) -> TrainingSet {
        var g = SeededGenerator(seed: seed)
        var values: [Double] = []
        var target: [Double] = []
        for _ in 0..<rows {
            let a = g.unit() * 2 - 1, b = g.unit() * 2 - 1
            values += [a, b, g.unit()]
            target.append(a + b < -0.3 ? 0 : (a > b ? 1 : 2))
        }
        return TrainingSet(features: Matrix(rows: rows, columns: 3, values: values), target: target, classCount: 3,
                           featureNames: ["a", "b", "noise"])
    }

    /// y = sin(3·x0) + x1² with small noise, plus a noise feature.
    static func wave(rows: Int, seed: Int = 3) -> TrainingSet {
        var g = SeededGenerator(seed: seed)
        var values: [Double] = []
        var target: [Double] = []
        for _ in 0..<rows {
            let a = g.unit() * 2 - 1, b = g.unit() * 2 - 1
            values += [a, b, g.unit()]
            target.append(sin3(a) + b * b + (g.unit() - 0.5) * 0.05)
        }
        return TrainingSet(features: Matrix(rows: rows, columns: 3, values: values), target: target, classCount: 0,
                           featureNames: ["a", "b", "noise"])
    }

    /// sin(3x) by its Taylor series is enough here and keeps Foundation out.
    private static func sin3(_ x: Double) -> Double {
        let t = 3 * x
        var term = t, sum = t
        for n in 1..<12 { term *= -t * t / Double((2 * n) * (2 * n + 1)); sum += term }
        return sum
    }

    static func accuracy(_ model: any TrainedModel, _ data: TrainingSet) -> Double {
        let p = model.predict(data.features)
        return Double(zip(p, data.target).filter { $0 == $1 }.count) / Double(p.count)
    }

    static func r2(_ model: any TrainedModel, _ data: TrainingSet) -> Double {
        TreeScores.r2(data.target, model.predict(data.features))
    }

    static func fit(_ name: String, _ params: [String: JSON] = [:], on data: TrainingSet,
                    seed: UInt64 = 42, threads: Int = 2, context: FitContext? = nil) throws -> any TrainedModel {
        let descriptor = try ModelCatalog.require(name)
        let (resolved, problems) = descriptor.resolve(object(params))
        if let p = problems.first { throw MMPError(.invalidRecipe, "\(p.name): \(p.message)") }
        return try descriptor.make(resolved).fit(data, context: context ?? FitContext(seed: seed, threads: threads))
    }

    static func object(_ params: [String: JSON]) -> JSONObject {
        JSONObject(params.keys.sorted().map { ($0, params[$0]!) })
    }

    /// Through the bundle codec and back.
    static func roundTrip(_ model: any TrainedModel) throws -> any TrainedModel {
        var writer = ByteWriter()
        ModelCodec.encode(model, to: &writer)
        var reader = ByteReader(writer.bytes)
        return try ModelCodec.decode(from: &reader)
    }

    static func holdOut(_ data: TrainingSet, every k: Int) -> (TrainingSet, TrainingSet) {
        let test = (0..<data.features.rows).filter { $0 % k == 0 }
        let train = (0..<data.features.rows).filter { $0 % k != 0 }
        func part(_ rows: [Int]) -> TrainingSet {
            TrainingSet(features: data.features.selecting(rows: rows), target: rows.map { data.target[$0] },
                        classCount: data.classCount, featureNames: data.featureNames)
        }
        return (part(train), part(test))
    }
}
