import MMPCore

/// ε-support vector regression, as scikit-learn's SVR (libsvm): the dual over α and α* (two
/// variables per row, linear terms ε ∓ y), solved by the same SMO solver as SVC.
struct SVREstimator: Estimator {
    var settings: SVMSettings
    var epsilon: Double

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        try TreeInputs.check(data, model: "SVR", classification: false)
        try SVMInputs.checkFinite(data.features, model: "SVR")
        let x = data.features, n = x.rows
        let kernel = settings.kernel(for: x)
        let pool = WorkerPool(threads: context.threads)
        let rows = KernelRows(x)
        let columns = KernelColumns(data: rows, kernel: kernel, cacheBytes: settings.cacheBytes, pool: pool)
        let problem = SMOProblem(y: [Double](repeating: 1, count: n) + [Double](repeating: -1, count: n),
                                 p: data.target.map { epsilon - $0 } + data.target.map { epsilon + $0 },
                                 upper: [Double](repeating: settings.c, count: 2 * n))
        let solved = try SMOSolver.solve(problem, columns: columns, tolerance: settings.tolerance,
                                         maxIterations: settings.maxIterations, context: context)
        var support: [Int] = [], coefficients: [Double] = []
        for r in 0..<n {
            let coefficient = solved.alpha[r] - solved.alpha[r + n]
            if coefficient != 0 { support.append(r); coefficients.append(coefficient) }
        }
        return TrainedSVR(kernel: kernel, supportVectors: x.selecting(rows: support), coefficients: coefficients,
                          rho: solved.rho, iterations: solved.iterations)
    }
}

/// A fitted SVR: prediction = Σ coef K(sv, x) - ρ.
public struct TrainedSVR: TrainedModel {
    public static let typeName = "SVR"
    let kernel: SVMKernel
    let supportVectors: Matrix
    let coefficients: [Double]
    let rho: Double
    let iterations: Int

    init(kernel: SVMKernel, supportVectors: Matrix, coefficients: [Double], rho: Double, iterations: Int) {
        self.kernel = kernel; self.supportVectors = supportVectors; self.coefficients = coefficients
        self.rho = rho; self.iterations = iterations
    }

    public func predict(_ features: Matrix) -> [Double] {
        SVMDecision.values(KernelRows(features), KernelRows(supportVectors), coefficients: [coefficients], rho: [rho],
                           kernel: kernel, pool: WorkerPool(threads: CPUInfo.availableCores))
    }

    public var summary: JSONObject {
        var o = JSONObject()
        o["support_vectors"] = .int(supportVectors.rows)
        o["iterations"] = .int(iterations)
        o["gamma"] = .double(kernel.gamma)
        return o
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(kernel)
        writer.write(supportVectors.rows); writer.write(supportVectors.columns); writer.write(supportVectors.values)
        writer.write(coefficients); writer.write(rho); writer.write(iterations)
    }

    public init(from reader: inout ByteReader) throws {
        kernel = try reader.read()
        supportVectors = try SVMInputs.readMatrix(&reader)
        coefficients = try reader.readDoubles(); rho = try reader.readDouble(); iterations = try reader.readInt()
        guard coefficients.count == supportVectors.rows else { throw MMPError.corrupt("a stored SVR has \(coefficients.count) coefficients for \(supportVectors.rows) support vectors") }
    }
}
