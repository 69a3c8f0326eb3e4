import MMPCore

/// scikit-learn's `LinearRegression` (alpha 0: ordinary least squares, minimum-norm for collinear
/// features like `lstsq`) and `Ridge` (alpha > 0: ‖y − Xw − b‖² + alpha·‖w‖², solved in closed
/// form as the cholesky solver does), on data centred when there is an intercept.
struct LeastSquaresEstimator: Estimator {
    var model: String
    var alpha: Double
    var fitIntercept: Bool

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        guard data.features.rows > 0 else { throw MMPError.invalidData("\(model) needs at least one training row") }
        try LinearChecks.requireFinite(data.features, model: model, names: data.featureNames)
        let equations = NormalEquations(data.features, data.target, center: fitIntercept, threads: context.threads)
        var gram = equations.gram
        let xty = equations.xty, d = data.features.columns
        for j in 0..<d { gram[j * d + j] += alpha }
        try context.checkCancelled()
        let w = (alpha > 0 ? SymmetricSolve.cholesky(gram, xty, d) : nil) ?? SymmetricSolve.pseudoInverse(gram, xty, d)
        context.progress(1)
        return LinearRegressionModel(model: model, coefficients: w, intercept: fitIntercept ? equations.intercept(w) : 0,
                                     iterations: 0, converged: true)
    }
}

/// A fitted linear regression (any of LinearRegression, Ridge, Lasso, ElasticNet): x·w + b.
struct LinearRegressionModel: TrainedModel {
    static let typeName = "linear_regression.v1"
    var model: String
    var coefficients: [Double]
    var intercept: Double
    var iterations: Int
    var converged: Bool

    init(model: String, coefficients: [Double], intercept: Double, iterations: Int, converged: Bool) {
        self.model = model; self.coefficients = coefficients; self.intercept = intercept
        self.iterations = iterations; self.converged = converged
    }

    func predict(_ features: Matrix) -> [Double] {
        precondition(features.columns == coefficients.count, "\(model) was fitted on \(coefficients.count) features, got \(features.columns)")
        let d = coefficients.count
        return features.values.withUnsafeBufferPointer { xb in
            coefficients.withUnsafeBufferPointer { wb in
                (0..<features.rows).map { i in VectorMath.dot(xb.baseAddress! + i * d, wb.baseAddress!, d) + intercept }
            }
        }
    }

    var summary: JSONObject {
        var o = JSONObject()
        o["nonzero_coefficients"] = .int(coefficients.filter { $0 != 0 }.count)
        if iterations > 0 { o["iterations"] = .int(iterations); o["converged"] = .bool(converged) }
        return o
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(model)
        writer.write(coefficients)
        writer.write(intercept)
        writer.write(iterations)
        writer.write(converged)
    }

    init(from reader: inout ByteReader) throws {
        model = try reader.readString()
        coefficients = try reader.readDoubles()
        intercept = try reader.readDouble()
        iterations = try reader.readInt()
        converged = try reader.readBool()
    }
}
