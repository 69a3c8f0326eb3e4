#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// scikit-learn's GaussianMixture: expectation-maximisation from an initial assignment
/// (k-means labels by default), stopping when the mean log-likelihood changes by less than
/// `tol`; with `n_init` > 1 the run with the highest likelihood is kept. Predicts the most
/// probable component; reports BIC and AIC on the training rows.
struct GaussianMixtureEstimator: Estimator {
    enum Initialization: String, CaseIterable { case kmeans, kmeansPlusPlus = "k-means++", random, randomFromData = "random_from_data" }

    var components: Int
    var type: CovarianceType
    var tolerance: Double
    var regularization: Double
    var maxIterations: Int
    var runs: Int
    var initialization: Initialization

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        let x = data.features, n = x.rows, k = components
        guard x.columns > 0 else { throw MMPError.invalidData("GaussianMixture needs at least one feature column") }
        guard n >= k, n >= 2 else {
            throw MMPError.invalidData("GaussianMixture: n_components is \(k) but the training split has only \(n) rows; lower n_components")
        }
        if let bad = x.values.firstIndex(where: { !$0.isFinite }) {
            throw MMPError.invalidData("GaussianMixture cannot use missing or infinite values (\(FeatureNaming.describe(bad, columns: x.columns, names: data.featureNames))); add a simple_imputer step")
        }
        let pool = WorkerPool(threads: context.threads)
        var best: MixtureRun?
        for run in 0..<runs {
            try context.checkCancelled()
            var generator = SeededGenerator(seed: context.seed).derived(run)
            let resp = try initialResponsibilities(x, generator: &generator, context: context)
            let result = try Self.expectationMaximisation(x, responsibilities: resp, components: k, type: type, regularization: regularization,
                                                          tolerance: tolerance, maxIterations: maxIterations, pool: pool, context: context)
            if best == nil || result.lowerBound > best!.lowerBound { best = result }
            context.progress(Double(run + 1) / Double(runs))
        }
        let chosen = best!
        let likelihood = chosen.components.weightedLogProbabilities(x, pool: pool).rowLikelihood.reduce(0, +)
        return TrainedGaussianMixture(components: chosen.components, iterations: chosen.iterations, converged: chosen.converged,
                                      lowerBound: chosen.lowerBound, trainingLogLikelihood: likelihood, trainingRows: n)
    }

    /// One-hot or soft starting responsibilities (rows × k), as scikit-learn's init_params.
    private func initialResponsibilities(_ x: Matrix, generator: inout SeededGenerator, context: FitContext) throws -> [Double] {
        let n = x.rows, k = components
        var resp = [Double](repeating: 0, count: n * k)
        switch initialization {
        case .kmeans, .kmeansPlusPlus:
            // kmeans: the labels of one k-means run; k-means++: every row to its nearest k-means++ centre.
            let kmeans = KMeansEstimator(clusters: k, initialization: "k-means++", runs: 1,
                                         maxIterations: initialization == .kmeans ? 300 : 0, tolerance: 1e-4)
            let seed = generator.next()
            let fitted = try kmeans.fit(TrainingSet(features: x, target: [], classCount: 0, featureNames: []),
                                        context: FitContext(seed: seed, threads: context.threads, isCancelled: context.isCancelled))
            for (i, label) in fitted.predict(x).enumerated() { resp[i * k + Int(label)] = 1 }
        case .random:
            for i in 0..<n {
                var total = 0.0
                for c in 0..<k { let u = generator.unit(); resp[i * k + c] = u; total += u }
                for c in 0..<k { resp[i * k + c] /= total }
            }
        case .randomFromData:
            var rows = Array(0..<n)
            for c in 0..<k {
                rows.swapAt(c, c + generator.uniform(n - c))
                resp[rows[c] * k + c] = 1
            }
        }
        return resp
    }

    struct MixtureRun {
        var components: GaussianComponents
        var lowerBound: Double
        var iterations: Int
        var converged: Bool
    }

    /// EM from the given responsibilities: M-step first (the initial parameters), then E and M
    /// steps until the mean log-likelihood of an E-step changes by less than `tolerance`.
    static func expectationMaximisation(_ x: Matrix, responsibilities initial: [Double], components k: Int, type: CovarianceType,
                                        regularization: Double, tolerance: Double, maxIterations: Int, pool: WorkerPool,
                                        context: FitContext) throws -> MixtureRun {
        let n = x.rows
        var components = try GaussianComponents.estimate(x, responsibilities: initial, components: k, type: type,
                                                         regularization: regularization, pool: pool)
        var lowerBound = -Double.infinity
        var converged = false
        var iterations = 0
        for iteration in 1...max(1, maxIterations) {
            try context.checkCancelled()
            iterations = iteration
            let previous = lowerBound
            let (logProb, rowLikelihood) = components.weightedLogProbabilities(x, pool: pool)
            var resp = logProb
            for i in 0..<n { for c in 0..<k { resp[i * k + c] = exp(logProb[i * k + c] - rowLikelihood[i]) } }
            components = try GaussianComponents.estimate(x, responsibilities: resp, components: k, type: type,
                                                         regularization: regularization, pool: pool)
            lowerBound = rowLikelihood.reduce(0, +) / Double(n)
            if abs(lowerBound - previous) < tolerance { converged = true; break }
        }
        return MixtureRun(components: components, lowerBound: lowerBound, iterations: iterations, converged: converged)
    }
}

/// A fitted Gaussian mixture.
public struct TrainedGaussianMixture: TrainedModel {
    public static let typeName = "GaussianMixture"
    let components: GaussianComponents
    let iterations: Int
    let converged: Bool
    let lowerBound: Double
    let trainingLogLikelihood: Double
    let trainingRows: Int

    init(components: GaussianComponents, iterations: Int, converged: Bool, lowerBound: Double, trainingLogLikelihood: Double, trainingRows: Int) {
        self.components = components; self.iterations = iterations; self.converged = converged
        self.lowerBound = lowerBound; self.trainingLogLikelihood = trainingLogLikelihood; self.trainingRows = trainingRows
    }

    public func predict(_ features: Matrix) -> [Double] {
        let k = components.count
        let (values, _) = components.weightedLogProbabilities(features, pool: WorkerPool(threads: CPUInfo.availableCores))
        return (0..<features.rows).map { i in
            var best = 0
            for c in 1..<max(1, k) where values[i * k + c] > values[i * k + best] { best = c }
            return Double(best)
        }
    }

    /// Component memberships (rows × components).
    public func predictProbabilities(_ features: Matrix) -> Matrix? {
        let k = components.count
        let (values, norms) = components.weightedLogProbabilities(features, pool: WorkerPool(threads: CPUInfo.availableCores))
        var out = Matrix(rows: features.rows, columns: k)
        for i in 0..<features.rows { for c in 0..<k { out[i, c] = exp(values[i * k + c] - norms[i]) } }
        return out
    }

    /// BIC and AIC of the training rows: -2 log L + p log n, and -2 log L + 2p.
    public var bic: Double { -2 * trainingLogLikelihood + Double(components.parameterCount) * log(Double(trainingRows)) }
    public var aic: Double { -2 * trainingLogLikelihood + 2 * Double(components.parameterCount) }

    /// BIC/AIC of other rows (scikit-learn's `bic(X)`).
    func criteria(_ x: Matrix) -> (bic: Double, aic: Double) {
        let ll = components.weightedLogProbabilities(x, pool: WorkerPool(threads: CPUInfo.availableCores)).rowLikelihood.reduce(0, +)
        let p = Double(components.parameterCount)
        return (-2 * ll + p * log(Double(x.rows)), -2 * ll + 2 * p)
    }

    public var summary: JSONObject {
        var o = JSONObject()
        o["n_components"] = .int(components.count)
        o["covariance_type"] = .string(components.type.rawValue)
        o["n_iter"] = .int(iterations)
        o["converged"] = .bool(converged)
        o["lower_bound"] = .double(lowerBound)
        o["bic"] = .double(bic)
        o["aic"] = .double(aic)
        return o
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(components)
        writer.write(iterations); writer.write(converged); writer.write(lowerBound)
        writer.write(trainingLogLikelihood); writer.write(trainingRows)
    }

    public init(from reader: inout ByteReader) throws {
        components = try reader.read()
        iterations = try reader.readInt(); converged = try reader.readBool(); lowerBound = try reader.readDouble()
        trainingLogLikelihood = try reader.readDouble(); trainingRows = try reader.readInt()
    }
}
