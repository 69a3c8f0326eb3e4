#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// Naive Bayes classifiers.
public enum NaiveBayesModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = [
        ModelDescriptor(
            name: "GaussianNB", aliases: ["sklearn.naive_bayes.GaussianNB"], task: .classification,
            summary: "Gaussian naive Bayes (per-class feature means and variances, priors from the class shares)",
            parameters: [
                HyperparameterSpec("var_smoothing", .double(0...1), default: 1e-9,
                                   "share of the largest feature variance added to every variance, for stability"),
            ],
            make: { p in GaussianNBEstimator(varSmoothing: p.double("var_smoothing")) }),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [TrainedGaussianNB.self]
}

/// scikit-learn's `GaussianNB`: per class, the mean and (population) variance of each feature,
/// every variance raised by `var_smoothing × the largest feature variance`, and priors equal to
/// the class shares of the training rows.
struct GaussianNBEstimator: Estimator {
    var varSmoothing: Double

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        try context.checkCancelled()
        let x = data.features, n = x.rows, d = x.columns, classes = data.classCount
        guard n > 0 else { throw MMPError.invalidData("GaussianNB needs at least one training row") }
        guard classes >= 1, data.target.count == n, data.target.allSatisfy({ $0 >= 0 && Int($0) < classes }) else {
            throw MMPError.invalidData("GaussianNB needs class indices 0..<\(classes) as its target")
        }
        if let bad = x.values.firstIndex(where: { !$0.isFinite }) {
            throw MMPError.invalidData("GaussianNB cannot train on missing or infinite values (\(FeatureNaming.describe(bad, columns: d, names: data.featureNames))); add a simple_imputer step")
        }
        var counts = [Double](repeating: 0, count: classes)
        var means = [Double](repeating: 0, count: classes * d)
        for r in 0..<n {
            let c = Int(data.target[r])
            counts[c] += 1
            for f in 0..<d { means[c * d + f] += x[r, f] }
        }
        for c in 0..<classes where counts[c] > 0 { for f in 0..<d { means[c * d + f] /= counts[c] } }
        // Two passes (mean, then squared deviations) as numpy's var, for its accuracy.
        var variances = [Double](repeating: 0, count: classes * d)
        for r in 0..<n {
            let c = Int(data.target[r])
            for f in 0..<d { let dev = x[r, f] - means[c * d + f]; variances[c * d + f] += dev * dev }
        }
        for c in 0..<classes where counts[c] > 0 { for f in 0..<d { variances[c * d + f] /= counts[c] } }
        var largest = 0.0
        for f in 0..<d {
            var mean = 0.0
            for r in 0..<n { mean += x[r, f] }
            mean /= Double(n)
            var v = 0.0
            for r in 0..<n { let dev = x[r, f] - mean; v += dev * dev }
            largest = max(largest, v / Double(n))
        }
        let epsilon = varSmoothing * largest
        // A variance of zero (a constant feature with var_smoothing 0) would divide by zero.
        variances = variances.map { max($0 + epsilon, .leastNormalMagnitude) }
        let logPriors = counts.map { $0 > 0 ? log($0 / Double(n)) : -.infinity }
        context.progress(1)
        return TrainedGaussianNB(classCount: classes, features: d, means: means, variances: variances, logPriors: logPriors, epsilon: epsilon)
    }
}

public struct TrainedGaussianNB: TrainedModel {
    public static let typeName = "GaussianNB"
    static let formatVersion: UInt8 = 1

    let classCount: Int
    let features: Int
    /// classes × features
    let means: [Double]
    let variances: [Double]
    let logPriors: [Double]
    let epsilon: Double

    init(classCount: Int, features: Int, means: [Double], variances: [Double], logPriors: [Double], epsilon: Double) {
        self.classCount = classCount; self.features = features; self.means = means
        self.variances = variances; self.logPriors = logPriors; self.epsilon = epsilon
    }

    /// log P(class) + log P(row | class) for every class. A missing feature is left out of the
    /// product, which is naive Bayes's exact answer when that feature is unknown.
    func jointLogLikelihood(_ x: Matrix) -> Matrix {
        precondition(x.columns == features, "GaussianNB was trained on \(features) features, given \(x.columns)")
        var out = Matrix(rows: x.rows, columns: classCount)
        let logTwoPi = log(2 * Double.pi)
        for r in 0..<x.rows {
            for c in 0..<classCount {
                var s = logPriors[c]
                var norm = 0.0, quad = 0.0
                for f in 0..<features {
                    let v = x[r, f]
                    if v.isNaN { continue }
                    let variance = variances[c * features + f]
                    let dev = v - means[c * features + f]
                    norm += logTwoPi + log(variance)
                    quad += dev * dev / variance
                }
                s += -0.5 * norm - 0.5 * quad
                out[r, c] = s
            }
        }
        return out
    }

    public func predict(_ features: Matrix) -> [Double] {
        let jll = jointLogLikelihood(features)
        return (0..<jll.rows).map { r in
            var best = 0
            for c in 1..<max(1, classCount) where jll[r, c] > jll[r, best] { best = c }
            return Double(best)
        }
    }

    /// exp(jll − logsumexp(jll)) per row.
    public func predictProbabilities(_ features: Matrix) -> Matrix? {
        var p = jointLogLikelihood(features)
        for r in 0..<p.rows {
            var top = -Double.infinity
            for c in 0..<classCount { top = max(top, p[r, c]) }
            var total = 0.0
            for c in 0..<classCount { total += exp(p[r, c] - top) }
            let lse = top + log(total)
            for c in 0..<classCount { p[r, c] = exp(p[r, c] - lse) }
        }
        return p
    }

    public var summary: JSONObject { JSONObject([("epsilon", .double(epsilon))]) }

    public func encode(to writer: inout ByteWriter) {
        writer.write(TrainedGaussianNB.formatVersion)
        writer.write(classCount)
        writer.write(features)
        writer.write(means)
        writer.write(variances)
        writer.write(logPriors)
        writer.write(epsilon)
    }

    public init(from reader: inout ByteReader) throws {
        try reader.readFormatVersion(TrainedGaussianNB.formatVersion, of: "GaussianNB")
        classCount = try reader.readInt()
        features = try reader.readInt()
        means = try reader.readDoubles()
        variances = try reader.readDoubles()
        logPriors = try reader.readDoubles()
        epsilon = try reader.readDouble()
        guard classCount >= 1, features >= 0, means.count == classCount * features, variances.count == means.count,
              logPriors.count == classCount, variances.allSatisfy({ $0 > 0 }) else {
            throw MMPError.corrupt("GaussianNB data is inconsistent (\(classCount) classes × \(features) features)")
        }
    }
}
