#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// scikit-learn's `LogisticRegression` with the lbfgs solver: L2-penalised (or unpenalised)
/// log-loss, binary or multinomial, minimised by L-BFGS with sklearn's stopping rules, so
/// coefficients agree with sklearn's to its tolerance.
struct LogisticRegressionEstimator: Estimator {
    var c: Double
    var penalised: Bool
    var fitIntercept: Bool
    var maxIterations: Int
    var tolerance: Double
    var balanced: Bool
    /// The L1 share of the penalty: 0 for l2, 1 for l1, l1_ratio for elasticnet.
    var l1Share: Double

    init(_ p: Hyperparameters) {
        c = p.double("C")
        let penalty = p.string("penalty")
        penalised = ["l2", "l1", "elasticnet"].contains(penalty) && c.isFinite
        l1Share = penalty == "l1" ? 1 : penalty == "elasticnet" ? (p["l1_ratio"]?.doubleValue ?? 0.5) : 0
        fitIntercept = p.bool("fit_intercept")
        maxIterations = p.int("max_iter")
        tolerance = p.double("tol")
        balanced = p.string("class_weight") == "balanced"
    }

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        let x = data.features, n = x.rows
        let k = max(data.classCount, 2)
        guard n > 0 else { throw MMPError.invalidData("LogisticRegression needs at least one training row") }
        try LinearChecks.requireFinite(x, model: "LogisticRegression", names: data.featureNames)
        var counts = [Int](repeating: 0, count: k)
        for t in data.target {
            guard t.isFinite, t >= 0, Int(t) < k else { throw MMPError.invalidData("LogisticRegression: target holds \(t), not a class index below \(k)") }
            counts[Int(t)] += 1
        }
        // class_weight="balanced": n / (k · count of the class), as scikit-learn's compute_class_weight.
        let present = counts.filter { $0 > 0 }.count
        let weights: [Double]? = balanced
            ? data.target.map { Double(n) / (Double(present) * Double(counts[Int($0)])) } : nil
        let weightSum = weights?.reduce(0, +) ?? Double(n)
        let objective = LogisticObjective(features: x, target: data.target, weights: weights, outputs: k == 2 ? 1 : k,
                                          fitIntercept: fitIntercept, l2: penalised ? (1 - l1Share) / (c * weightSum) : 0,
                                          weightSum: weightSum, threads: context.threads)
        if penalised && l1Share > 0 {
            // scikit-learn's saga objective: (1/S)Σ sᵢ·lossᵢ + (l1_ratio‖W‖₁ + (1 − l1_ratio)‖W‖²/2) / (C·S).
            var l1 = [Double](repeating: l1Share / (c * weightSum), count: objective.parameterCount)
            for row in 0..<objective.outputs { l1[row * objective.stride + x.columns] = 0 }
            // One full-gradient step does far less than one of saga's epochs; allow ten per max_iter.
            let solver = ProximalGradient(l1: l1, maxIterations: maxIterations * 10, tolerance: tolerance)
            let result = try solver.minimize([Double](repeating: 0, count: objective.parameterCount), evaluate: objective.evaluate,
                                             checkpoint: { fraction in try context.checkCancelled(); context.progress(fraction) })
            context.progress(1)
            return LogisticRegressionModel(classCount: k, featureCount: x.columns, parameters: result.x,
                                           iterations: result.iterations, converged: result.converged, objective: result.value)
        }
        let solver = LBFGS(maxIterations: maxIterations, gradientTolerance: tolerance)
        let result = try solver.minimize([Double](repeating: 0, count: objective.parameterCount),
                                         evaluate: objective.evaluate,
                                         checkpoint: { fraction in try context.checkCancelled(); context.progress(fraction) })
        context.progress(1)
        return LogisticRegressionModel(classCount: k, featureCount: x.columns, parameters: result.x,
                                       iterations: result.iterations, converged: result.converged, objective: result.value)
    }
}

/// A fitted logistic regression: one coefficient row (binary) or one per class, each d weights
/// then the intercept.
struct LogisticRegressionModel: TrainedModel {
    static let typeName = "logistic_regression.v1"
    var classCount: Int
    var featureCount: Int
    var parameters: [Double]
    var iterations: Int
    var converged: Bool
    var objective: Double

    init(classCount: Int, featureCount: Int, parameters: [Double], iterations: Int, converged: Bool, objective: Double) {
        self.classCount = classCount; self.featureCount = featureCount; self.parameters = parameters
        self.iterations = iterations; self.converged = converged; self.objective = objective
    }

    var outputs: Int { classCount == 2 ? 1 : classCount }

    /// Coefficients of row c (d values) and its intercept.
    func coefficients(_ c: Int) -> ArraySlice<Double> { parameters[(c * (featureCount + 1))..<(c * (featureCount + 1) + featureCount)] }
    func intercept(_ c: Int) -> Double { parameters[c * (featureCount + 1) + featureCount] }

    func predictProbabilities(_ features: Matrix) -> Matrix? {
        precondition(features.columns == featureCount, "LogisticRegression was fitted on \(featureCount) features, got \(features.columns)")
        let n = features.rows, d = featureCount, k = classCount, stride = d + 1
        var out = [Double](repeating: 0, count: n * k)
        features.values.withUnsafeBufferPointer { xb in
            parameters.withUnsafeBufferPointer { pb in
                let x = xb.baseAddress!, p = pb.baseAddress!
                var z = [Double](repeating: 0, count: k)
                for i in 0..<n {
                    let row = x + i * d
                    if k == 2 {
                        let s = VectorMath.dot(row, p, d) + p[d]
                        let e = exp(-abs(s))
                        let p1 = s >= 0 ? 1 / (1 + e) : e / (1 + e)
                        out[i * 2] = 1 - p1
                        out[i * 2 + 1] = p1
                    } else {
                        var top = -Double.infinity
                        for c in 0..<k { z[c] = VectorMath.dot(row, p + c * stride, d) + p[c * stride + d]; top = max(top, z[c]) }
                        var total = 0.0
                        for c in 0..<k { z[c] = exp(z[c] - top); total += z[c] }
                        for c in 0..<k { out[i * k + c] = z[c] / total }
                    }
                }
            }
        }
        return Matrix(rows: n, columns: k, values: out)
    }

    /// The most probable class (the lowest index among ties, as numpy's argmax).
    func predict(_ features: Matrix) -> [Double] {
        let p = predictProbabilities(features)!
        return (0..<p.rows).map { i in
            var best = 0
            for c in 1..<p.columns where p[i, c] > p[i, best] { best = c }
            return Double(best)
        }
    }

    var summary: JSONObject {
        JSONObject([("iterations", .int(iterations)), ("converged", .bool(converged)), ("objective", .double(objective))])
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(classCount)
        writer.write(featureCount)
        writer.write(parameters)
        writer.write(iterations)
        writer.write(converged)
        writer.write(objective)
    }

    init(from reader: inout ByteReader) throws {
        classCount = try reader.readInt()
        featureCount = try reader.readInt()
        parameters = try reader.readDoubles()
        iterations = try reader.readInt()
        converged = try reader.readBool()
        objective = try reader.readDouble()
        guard classCount >= 2, featureCount >= 0, parameters.count == (classCount == 2 ? 1 : classCount) * (featureCount + 1) else {
            throw MMPError.corrupt("logistic regression: \(parameters.count) parameters do not fit \(classCount) classes × \(featureCount) features")
        }
    }
}

enum LinearChecks {
    /// Linear models cannot take missing or infinite values: say which column holds one.
    static func requireFinite(_ x: Matrix, model: String, names: [String] = []) throws {
        for (index, v) in x.values.enumerated() where !v.isFinite {
            let j = index % max(x.columns, 1)
            let column = j < names.count ? "'\(names[j])'" : "\(j + 1)"
            throw MMPError.invalidData("\(model) cannot train on missing or infinite values, and feature column \(column) holds \(v.isNaN ? "a missing value" : "an infinite value") (row \(index / max(x.columns, 1) + 1) of the training split); add a simple_imputer step for it")
        }
    }
}
