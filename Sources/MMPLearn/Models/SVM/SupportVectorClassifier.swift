#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// What SVC and SVR share: the kernel, C, the solver's tolerance, limit and cache.
struct SVMSettings: Sendable {
    var kernel: SVMKernel.Kind
    var gamma: JSON
    var degree: Int
    var coef0: Double
    var c: Double
    var tolerance: Double
    var maxIterations: Int?
    var cacheBytes: Int

    func kernel(for x: Matrix) -> SVMKernel {
        SVMKernel(kind: kernel, gamma: SVMKernel.resolveGamma(gamma, x), degree: degree, coef0: coef0)
    }
}

/// C-support vector classification, as scikit-learn's SVC (libsvm): one binary problem per
/// pair of classes (one-vs-one), prediction by votes, and with `probability` Platt scaling
/// fitted on decision values from an internal 5-fold cross-validation, coupled across pairs
/// (Wu, Lin and Weng's method), exactly the steps libsvm takes.
struct SVCEstimator: Estimator {
    var settings: SVMSettings
    var probability: Bool
    var balanced: Bool
    var breakTies: Bool

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        try TreeInputs.check(data, model: "SVC", classification: true)
        try SVMInputs.checkFinite(data.features, model: "SVC")
        let x = data.features
        let kernel = settings.kernel(for: x)
        let k = data.classCount
        let labels = data.target.map { Int($0) }
        var byClass = [[Int]](repeating: [], count: k)
        for (r, label) in labels.enumerated() { byClass[label].append(r) }
        // scikit-learn's balanced weights: n / (classes × count), scaling C per class.
        let weights = (0..<k).map { c in
            balanced && !byClass[c].isEmpty ? Double(x.rows) / Double(k * byClass[c].count) : 1.0
        }
        let pool = WorkerPool(threads: context.threads)
        var generator = SeededGenerator(seed: context.seed)
        var pairs: [SVCPair] = []
        var used = [Bool](repeating: false, count: x.rows)
        var iterations = 0
        let pairCount = k * (k - 1) / 2
        for s in 0..<k {
            for t in (s + 1)..<max(s + 1, k) {
                try context.checkCancelled()
                let rows = byClass[s] + byClass[t]
                let positive = byClass[s].count
                let ys = rows.indices.map { $0 < positive ? 1.0 : -1.0 }
                let cs = rows.indices.map { settings.c * ($0 < positive ? weights[s] : weights[t]) }
                let solved = try SVCBinary.train(x, rows: rows, y: ys, upper: cs, kernel: kernel, settings: settings,
                                                 pool: pool, context: context)
                iterations += solved.iterations
                var sigmoid: (a: Double, b: Double)?
                if probability {
                    sigmoid = try SVCBinary.plattSigmoid(x, rows: rows, y: ys, upper: cs, kernel: kernel, settings: settings,
                                                         pool: pool, generator: &generator, context: context)
                }
                var support: [Int] = [], coefficients: [Double] = []
                for (m, r) in rows.enumerated() where solved.alpha[m] > 0 {
                    support.append(r)
                    coefficients.append(solved.alpha[m] * ys[m])
                    used[r] = true
                }
                pairs.append(SVCPair(first: s, second: t, support: support, coefficients: coefficients, rho: solved.rho,
                                     sigmoidA: sigmoid?.a ?? 0, sigmoidB: sigmoid?.b ?? 0))
                context.progress(Double(pairs.count) / Double(max(1, pairCount)))
            }
        }
        // Support vectors stored once, shared by the pairs (rows renumbered into that list).
        let supportRows = (0..<x.rows).filter { used[$0] }
        var position = [Int](repeating: -1, count: x.rows)
        for (m, r) in supportRows.enumerated() { position[r] = m }
        for p in pairs.indices { pairs[p].support = pairs[p].support.map { position[$0] } }
        return TrainedSVC(kernel: kernel, classCount: k, supportVectors: x.selecting(rows: supportRows), pairs: pairs,
                          probability: probability, breakTies: breakTies, iterations: iterations)
    }
}

/// One pair's binary SVM: decision(x) = Σ coef_m K(sv_m, x) - ρ (> 0 votes for `first`), and
/// the Platt sigmoid P(first | x) = 1 / (1 + exp(A·decision + B)).
struct SVCPair: Sendable, Equatable, BinaryCodable {
    var first: Int
    var second: Int
    var support: [Int]
    var coefficients: [Double]
    var rho: Double
    var sigmoidA: Double
    var sigmoidB: Double

    func encode(to writer: inout ByteWriter) {
        writer.write(first); writer.write(second); writer.write(support); writer.write(coefficients)
        writer.write(rho); writer.write(sigmoidA); writer.write(sigmoidB)
    }

    init(first: Int, second: Int, support: [Int], coefficients: [Double], rho: Double, sigmoidA: Double, sigmoidB: Double) {
        self.first = first; self.second = second; self.support = support; self.coefficients = coefficients
        self.rho = rho; self.sigmoidA = sigmoidA; self.sigmoidB = sigmoidB
    }

    init(from reader: inout ByteReader) throws {
        first = try reader.readInt(); second = try reader.readInt()
        support = try reader.readInts(); coefficients = try reader.readDoubles()
        rho = try reader.readDouble(); sigmoidA = try reader.readDouble(); sigmoidB = try reader.readDouble()
        guard support.count == coefficients.count else { throw MMPError.corrupt("an SVC pair has \(support.count) support vectors and \(coefficients.count) coefficients") }
    }
}

/// Training one binary C-SVC problem on a subset of rows.
enum SVCBinary {
    static func train(_ x: Matrix, rows: [Int], y: [Double], upper: [Double], kernel: SVMKernel, settings: SVMSettings,
                      pool: WorkerPool, context: FitContext) throws -> SMOSolution {
        let data = KernelRows(x, rows: rows)
        let columns = KernelColumns(data: data, kernel: kernel, cacheBytes: settings.cacheBytes, pool: pool)
        let problem = SMOProblem(y: y, p: [Double](repeating: -1, count: rows.count), upper: upper)
        return try SMOSolver.solve(problem, columns: columns, tolerance: settings.tolerance, maxIterations: settings.maxIterations,
                                   context: context)
    }

    /// libsvm's svm_binary_svc_probability: decision values for every row from models trained
    /// on the other four folds of a random 5-fold split, then Platt's sigmoid fitted to them.
    static func plattSigmoid(_ x: Matrix, rows: [Int], y: [Double], upper: [Double], kernel: SVMKernel, settings: SVMSettings,
                             pool: WorkerPool, generator: inout SeededGenerator, context: FitContext) throws -> (a: Double, b: Double) {
        let l = rows.count, folds = 5
        var permutation = Array(0..<l)
        for i in 0..<l { permutation.swapAt(i, i + generator.uniform(l - i)) }
        var decisions = [Double](repeating: 0, count: l)
        for f in 0..<folds {
            let begin = f * l / folds, end = (f + 1) * l / folds
            let held = Array(permutation[begin..<end])
            let kept = Array(permutation[0..<begin]) + Array(permutation[end..<l])
            let positives = kept.filter { y[$0] > 0 }.count
            if positives == kept.count || positives == 0 {
                // One class only in the training folds: libsvm's fixed decision values.
                let value: Double = kept.isEmpty ? 0 : (positives == 0 ? -1 : 1)
                for m in held { decisions[m] = value }
                continue
            }
            let solved = try train(x, rows: kept.map { rows[$0] }, y: kept.map { y[$0] }, upper: kept.map { upper[$0] },
                                   kernel: kernel, settings: settings, pool: pool, context: context)
            var support: [Int] = [], coefficients: [Double] = []
            for (m, r) in kept.enumerated() where solved.alpha[m] > 0 {
                support.append(rows[r]); coefficients.append(solved.alpha[m] * y[r])
            }
            let supportData = KernelRows(x, rows: support)
            let heldData = KernelRows(x, rows: held.map { rows[$0] })
            let values = SVMDecision.values(heldData, supportData, coefficients: [coefficients], rho: [solved.rho], kernel: kernel, pool: pool)
            for (m, index) in held.enumerated() { decisions[index] = values[m] }
        }
        guard case .sigmoid(let a, let b) = Calibrator.fitSigmoid(scores: decisions, positive: y.map { $0 > 0 }) else { return (0, 0) }
        return (a, b)
    }
}

/// Decision values Σ coef K(sv, x) - ρ for many rows and several coefficient sets at once: the
/// kernel row of each input against every support vector is computed once.
enum SVMDecision {
    static func values(_ inputs: KernelRows, _ support: KernelRows, coefficients: [[Double]], rho: [Double], kernel: SVMKernel,
                       pool: WorkerPool) -> [Double] {
        let sets = coefficients.count, m = support.rows, d = inputs.columns
        var out = [Double](repeating: 0, count: inputs.rows * sets)
        let flat = coefficients.flatMap { $0 }
        out.withUnsafeMutableBufferPointer { ob in
            flat.withUnsafeBufferPointer { cb in
                let o = ob.baseAddress!, cf = cb.baseAddress!
                pool.forEachChunk(count: inputs.rows, chunk: pool.chunkSize(for: inputs.rows, minimum: 64)) { range, _ in
                    var row = [Double](repeating: 0, count: max(1, m))
                    for r in range {
                        let xr = inputs.row(r), nr = inputs.norms[r]
                        for s in 0..<m {
                            row[s] = kernel.value(dot: VectorMath.dot(xr, support.row(s), d), normA: nr, normB: support.norms[s])
                        }
                        for q in 0..<sets {
                            var total = 0.0
                            let c = cf + q * m
                            for s in 0..<m { total += c[s] * row[s] }
                            o[r * sets + q] = total - rho[q]
                        }
                    }
                }
            }
        }
        return out
    }
}

enum SVMInputs {
    static func checkFinite(_ x: Matrix, model: String) throws {
        if let i = x.values.firstIndex(where: { !$0.isFinite }) {
            throw MMPError.invalidData("\(model): feature '\(i % max(1, x.columns))' of training row \(i / max(1, x.columns) + 1) is missing or infinite; add a simple_imputer step (SVMs need every value)")
        }
    }
}

/// A fitted SVC.
public struct TrainedSVC: TrainedModel, DecisionScoring {
    public static let typeName = "SVC"
    let kernel: SVMKernel
    let classCount: Int
    let supportVectors: Matrix
    let pairs: [SVCPair]
    let probability: Bool
    let breakTies: Bool
    let iterations: Int

    init(kernel: SVMKernel, classCount: Int, supportVectors: Matrix, pairs: [SVCPair], probability: Bool, breakTies: Bool, iterations: Int) {
        self.kernel = kernel; self.classCount = classCount; self.supportVectors = supportVectors; self.pairs = pairs
        self.probability = probability; self.breakTies = breakTies; self.iterations = iterations
    }

    /// Decision values, rows × pairs (pairs in (0,1), (0,2), ... order, positive for the first).
    func decisions(_ features: Matrix) -> [Double] {
        let pool = WorkerPool(threads: CPUInfo.availableCores)
        let coefficients = pairs.map { pair -> [Double] in
            var dense = [Double](repeating: 0, count: supportVectors.rows)
            for (s, c) in zip(pair.support, pair.coefficients) { dense[s] = c }
            return dense
        }
        return SVMDecision.values(KernelRows(features), KernelRows(supportVectors), coefficients: coefficients,
                                  rho: pairs.map(\.rho), kernel: kernel, pool: pool)
    }

    public func predict(_ features: Matrix) -> [Double] {
        let d = decisions(features), q = pairs.count
        return (0..<features.rows).map { r in
            var votes = [Double](repeating: 0, count: classCount)
            var confidence = [Double](repeating: 0, count: classCount)
            for (p, pair) in pairs.enumerated() {
                let v = d[r * q + p]
                if v > 0 { votes[pair.first] += 1 } else { votes[pair.second] += 1 }
                confidence[pair.first] += v
                confidence[pair.second] -= v
            }
            // scikit-learn's break_ties: votes plus confidences squashed into (-1/3, 1/3).
            if breakTies && classCount > 2 {
                for c in 0..<classCount { votes[c] += confidence[c] / (3 * (abs(confidence[c]) + 1)) }
            }
            var best = 0
            for c in 1..<classCount where votes[c] > votes[best] { best = c }
            return Double(best)
        }
    }

    public func predictProbabilities(_ features: Matrix) -> Matrix? {
        guard probability else { return nil }
        let d = decisions(features), q = pairs.count, k = classCount
        var out = Matrix(rows: features.rows, columns: k)
        let minimum = 1e-7
        for r in 0..<features.rows {
            var pairwise = [Double](repeating: 0, count: k * k)
            for (p, pair) in pairs.enumerated() {
                let f = d[r * q + p] * pair.sigmoidA + pair.sigmoidB
                let prob = f >= 0 ? exp(-f) / (1 + exp(-f)) : 1 / (1 + exp(f))
                let clipped = min(max(prob, minimum), 1 - minimum)
                pairwise[pair.first * k + pair.second] = clipped
                pairwise[pair.second * k + pair.first] = 1 - clipped
            }
            let probabilities = k == 2 ? [pairwise[1], pairwise[k]] : PairwiseCoupling.probabilities(pairwise, classes: k)
            for c in 0..<k { out[r, c] = probabilities[c] }
        }
        return out
    }

    /// scikit-learn's decision_function as calibration scores: for two classes -d for the second
    /// class and d for the first; for more, one-vs-rest votes plus squashed confidences.
    public func decisionScores(_ features: Matrix) -> Matrix {
        let d = decisions(features), q = pairs.count
        var out = Matrix(rows: features.rows, columns: classCount)
        for r in 0..<features.rows {
            if classCount == 2 {
                out[r, 0] = d[r]; out[r, 1] = -d[r]
                continue
            }
            var votes = [Double](repeating: 0, count: classCount), confidence = votes
            for (p, pair) in pairs.enumerated() {
                let v = d[r * q + p]
                if v > 0 { votes[pair.first] += 1 } else { votes[pair.second] += 1 }
                confidence[pair.first] += v
                confidence[pair.second] -= v
            }
            for c in 0..<classCount { out[r, c] = votes[c] + confidence[c] / (3 * (abs(confidence[c]) + 1)) }
        }
        return out
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
        writer.write(classCount)
        writer.write(supportVectors.rows); writer.write(supportVectors.columns); writer.write(supportVectors.values)
        writer.write(pairs)
        writer.write(probability); writer.write(breakTies); writer.write(iterations)
    }

    public init(from reader: inout ByteReader) throws {
        kernel = try reader.read()
        classCount = try reader.readInt()
        supportVectors = try SVMInputs.readMatrix(&reader)
        pairs = try reader.readArray(of: SVCPair.self)
        probability = try reader.readBool(); breakTies = try reader.readBool(); iterations = try reader.readInt()
        guard classCount >= 2, pairs.count == classCount * (classCount - 1) / 2,
              pairs.allSatisfy({ $0.first < classCount && $0.second < classCount && $0.support.allSatisfy { $0 >= 0 && $0 < supportVectors.rows } }) else {
            throw MMPError.corrupt("a stored SVC does not fit together (\(classCount) classes, \(pairs.count) pairs)")
        }
    }
}

extension SVMInputs {
    static func readMatrix(_ reader: inout ByteReader) throws -> Matrix {
        let rows = try reader.readInt(), columns = try reader.readInt()
        let values = try reader.readDoubles()
        guard rows >= 0, columns >= 0, values.count == rows * columns else { throw MMPError.corrupt("a stored matrix has the wrong size") }
        return Matrix(rows: rows, columns: columns, values: values)
    }
}

/// libsvm's multiclass_probability: class probabilities p from pairwise ones r (r[i][j] ≈
/// P(i | i or j)) by minimising Σ_i Σ_{j≠i} (r_ji p_i - r_ij p_j)² with Σ p = 1 (Wu, Lin and
/// Weng 2004, method 2), by the same fixed-point iterations.
enum PairwiseCoupling {
    static func probabilities(_ r: [Double], classes k: Int) -> [Double] {
        var q = [Double](repeating: 0, count: k * k)
        var p = [Double](repeating: 1 / Double(k), count: k)
        var qp = [Double](repeating: 0, count: k)
        for t in 0..<k {
            for j in 0..<k where j != t {
                q[t * k + t] += r[j * k + t] * r[j * k + t]
                q[t * k + j] = -r[j * k + t] * r[t * k + j]
            }
        }
        let eps = 0.005 / Double(k)
        for _ in 0..<max(100, k) {
            var pqp = 0.0
            for t in 0..<k {
                qp[t] = 0
                for j in 0..<k { qp[t] += q[t * k + j] * p[j] }
                pqp += p[t] * qp[t]
            }
            var maxError = 0.0
            for t in 0..<k { maxError = max(maxError, abs(qp[t] - pqp)) }
            if maxError < eps { break }
            for t in 0..<k {
                let diff = (-qp[t] + pqp) / q[t * k + t]
                p[t] += diff
                pqp = (pqp + diff * (diff * q[t * k + t] + 2 * qp[t])) / (1 + diff) / (1 + diff)
                for j in 0..<k {
                    qp[j] = (qp[j] + diff * q[t * k + j]) / (1 + diff)
                    p[j] /= (1 + diff)
                }
            }
        }
        return p
    }
}
