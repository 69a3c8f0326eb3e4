#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// scikit-learn's MLPClassifier and MLPRegressor: mini-batch training with Adam (or SGD with
/// momentum) on shuffled batches, L2 penalty alpha, and scikit-learn's stopping rule: stop when
/// the training loss (or, with early_stopping, the score on a held-out validation_fraction of
/// the training rows) has not improved by tol for n_iter_no_change epochs; with early stopping
/// the weights of the best epoch are kept.
struct MLPSettings: Sendable {
    var hiddenSizes: [Int]
    var activation: DenseNetwork.Activation
    var solver: String
    var alpha: Double
    var batchSize: Int?
    var learningRate: Double
    var maxIterations: Int
    var shuffle: Bool
    var tolerance: Double
    var earlyStopping: Bool
    var validationFraction: Double
    var noChangeEpochs: Int
    var beta1: Double
    var beta2: Double
    var epsilon: Double
    var momentum: Double
    var nesterov: Bool
}

struct MLPEstimator: Estimator {
    var settings: MLPSettings
    var classification: Bool

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        let name = classification ? "MLPClassifier" : "MLPRegressor"
        try TreeInputs.check(data, model: name, classification: classification)
        try SVMInputs.checkFinite(data.features, model: name)
        let x = data.features, n = x.rows, d = x.columns
        let outputs = classification ? (data.classCount == 2 ? 1 : data.classCount) : 1
        // Targets as the output layer sees them: 0/1 for two classes, one-hot for more.
        var y = [Double](repeating: 0, count: n * outputs)
        for r in 0..<n {
            if !classification { y[r] = data.target[r] } else if outputs == 1 { y[r] = data.target[r] } else { y[r * outputs + Int(data.target[r])] = 1 }
        }
        var generator = SeededGenerator(seed: context.seed)
        let output: DenseNetwork.Output = !classification ? .identity : (outputs == 1 ? .logistic : .softmax)
        var network = DenseNetwork.initial(sizes: [d] + settings.hiddenSizes + [outputs], hidden: settings.activation, output: output,
                                           generator: &generator)
        // Early stopping holds out validation_fraction of the training rows (per class for classifiers).
        var trainRows = Array(0..<n), validationRows: [Int] = []
        if settings.earlyStopping {
            (trainRows, validationRows) = holdOut(data, fraction: settings.validationFraction, generator: &generator)
        }
        let m = trainRows.count
        let batch = min(max(1, settings.batchSize ?? 200), m)
        var optimizer = MLPOptimizer(settings: settings, network: network)
        var bestLoss = Double.infinity, bestScore = -Double.infinity, noImprovement = 0
        var best = network
        var epochs = 0, lossCurve: [Double] = []
        var order = trainRows
        var batchX = [Double](repeating: 0, count: batch * d), batchY = [Double](repeating: 0, count: batch * outputs)
        for epoch in 0..<settings.maxIterations {
            try context.checkCancelled()
            if settings.shuffle { generator.shuffle(&order) }
            var accumulated = 0.0
            var start = 0
            while start < m {
                let size = min(batch, m - start)
                for k in 0..<size {
                    let r = order[start + k]
                    for f in 0..<d { batchX[k * d + f] = x.values[r * d + f] }
                    for o in 0..<outputs { batchY[k * outputs + o] = y[r * outputs + o] }
                }
                let (loss, gw, gb) = batchX.withUnsafeBufferPointer { xb in
                    batchY.withUnsafeBufferPointer { yb in
                        network.lossAndGradients(xb.baseAddress!, yb.baseAddress!, rows: size, alpha: settings.alpha)
                    }
                }
                accumulated += loss * Double(size)
                optimizer.step(&network, weightGradients: gw, biasGradients: gb)
                start += size
            }
            let loss = accumulated / Double(m)
            guard loss.isFinite else {
                throw MMPError.invalidData("\(name): the training loss became \(loss) (diverged); lower learning_rate_init or scale the features (standard_scaler)")
            }
            lossCurve.append(loss)
            epochs = epoch + 1
            if settings.earlyStopping {
                let score = validationScore(network, x, data.target, rows: validationRows)
                noImprovement = score < bestScore + settings.tolerance ? noImprovement + 1 : 0
                if score > bestScore { bestScore = score; best = network }
            } else {
                noImprovement = loss > bestLoss - settings.tolerance ? noImprovement + 1 : 0
                if loss < bestLoss { bestLoss = loss }
            }
            context.progress(Double(epochs) / Double(settings.maxIterations))
            if noImprovement > settings.noChangeEpochs { break }
        }
        if settings.earlyStopping { network = best }
        return TrainedMLP(network: network, classCount: classification ? data.classCount : 0, epochs: epochs,
                          finalLoss: lossCurve.last ?? .nan, bestValidationScore: settings.earlyStopping ? bestScore : nil)
    }

    /// scikit-learn's train_test_split(test_size=fraction, stratify=y for classifiers), seeded.
    private func holdOut(_ data: TrainingSet, fraction: Double, generator: inout SeededGenerator) -> ([Int], [Int]) {
        let n = data.target.count
        let groups: [[Int]] = classification
            ? (0..<data.classCount).map { c in (0..<n).filter { Int(data.target[$0]) == c } }
            : [Array(0..<n)]
        var train: [Int] = [], validation: [Int] = []
        for var group in groups {
            generator.shuffle(&group)
            let held = min(group.count - (group.count > 1 ? 1 : 0), Int((Double(group.count) * fraction).rounded(.up)))
            validation += group.prefix(held)
            train += group.dropFirst(held)
        }
        if validation.isEmpty, train.count > 1 { validation.append(train.removeLast()) }
        return (train.sorted(), validation.sorted())
    }

    /// Accuracy for classifiers, R² for regressors (scikit-learn's score).
    private func validationScore(_ network: DenseNetwork, _ x: Matrix, _ target: [Double], rows: [Int]) -> Double {
        let model = TrainedMLP(network: network, classCount: classification ? network.sizes.last! == 1 ? 2 : network.sizes.last! : 0,
                               epochs: 0, finalLoss: 0, bestValidationScore: nil)
        let subset = x.selecting(rows: rows)
        let predicted = model.predict(subset)
        let truth = rows.map { target[$0] }
        if classification { return Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(max(1, rows.count)) }
        let mean = truth.reduce(0, +) / Double(max(1, truth.count))
        let total = truth.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let residual = zip(predicted, truth).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return total > 0 ? 1 - residual / total : 0
    }
}

/// Adam (scikit-learn's AdamOptimizer) or SGD with momentum at a constant learning rate.
struct MLPOptimizer {
    let settings: MLPSettings
    var step = 0
    var firstWeights: [[Double]], secondWeights: [[Double]]
    var firstBiases: [[Double]], secondBiases: [[Double]]

    init(settings: MLPSettings, network: DenseNetwork) {
        self.settings = settings
        firstWeights = network.weights.map { [Double](repeating: 0, count: $0.count) }
        secondWeights = firstWeights
        firstBiases = network.biases.map { [Double](repeating: 0, count: $0.count) }
        secondBiases = firstBiases
    }

    mutating func step(_ network: inout DenseNetwork, weightGradients: [[Double]], biasGradients: [[Double]]) {
        step += 1
        if settings.solver == "sgd" {
            for l in 0..<network.layers {
                sgd(&network.weights[l], &firstWeights[l], weightGradients[l])
                sgd(&network.biases[l], &firstBiases[l], biasGradients[l])
            }
            return
        }
        let t = Double(step)
        let rate = settings.learningRate * (1 - pow(settings.beta2, t)).squareRoot() / (1 - pow(settings.beta1, t))
        for l in 0..<network.layers {
            adam(&network.weights[l], &firstWeights[l], &secondWeights[l], weightGradients[l], rate)
            adam(&network.biases[l], &firstBiases[l], &secondBiases[l], biasGradients[l], rate)
        }
    }

    private func adam(_ p: inout [Double], _ m: inout [Double], _ v: inout [Double], _ g: [Double], _ rate: Double) {
        let b1 = settings.beta1, b2 = settings.beta2, eps = settings.epsilon
        for i in p.indices {
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
            p[i] += -rate * m[i] / (v[i].squareRoot() + eps)
        }
    }

    /// scikit-learn's SGDOptimizer: velocity = momentum·velocity - lr·grad; Nesterov adds the
    /// look-ahead step.
    private func sgd(_ p: inout [Double], _ velocity: inout [Double], _ g: [Double]) {
        let mu = settings.momentum, lr = settings.learningRate
        for i in p.indices {
            velocity[i] = mu * velocity[i] - lr * g[i]
            p[i] += settings.nesterov ? mu * velocity[i] - lr * g[i] : velocity[i]
        }
    }
}

/// A fitted MLP classifier or regressor (classCount 0).
public struct TrainedMLP: TrainedModel {
    public static let typeName = "MLP"
    let network: DenseNetwork
    let classCount: Int
    let epochs: Int
    let finalLoss: Double
    let bestValidationScore: Double?

    init(network: DenseNetwork, classCount: Int, epochs: Int, finalLoss: Double, bestValidationScore: Double?) {
        self.network = network; self.classCount = classCount; self.epochs = epochs
        self.finalLoss = finalLoss; self.bestValidationScore = bestValidationScore
    }

    private func outputs(_ features: Matrix) -> [Double] {
        let pool = WorkerPool(threads: CPUInfo.availableCores)
        let width = network.sizes.last!, d = features.columns
        var out = [Double](repeating: 0, count: features.rows * width)
        out.withUnsafeMutableBufferPointer { ob in
            features.values.withUnsafeBufferPointer { xb in
                let o = ob.baseAddress!, xv = xb.baseAddress!
                pool.forEachChunk(count: features.rows, chunk: pool.chunkSize(for: features.rows, minimum: 256)) { range, _ in
                    let result = network.forward(xv + range.lowerBound * d, rows: range.count)[network.layers]
                    for (k, v) in result.enumerated() { o[range.lowerBound * width + k] = v }
                }
            }
        }
        return out
    }

    public func predict(_ features: Matrix) -> [Double] {
        guard classCount > 0, let p = predictProbabilities(features) else { return outputs(features) }
        return TreeInputs.argmax(p.values, rows: p.rows, classes: classCount)
    }

    public func predictProbabilities(_ features: Matrix) -> Matrix? {
        guard classCount > 0 else { return nil }
        let raw = outputs(features)
        if classCount == 2 {
            var out = Matrix(rows: features.rows, columns: 2)
            for r in 0..<features.rows { out[r, 1] = raw[r]; out[r, 0] = 1 - raw[r] }
            return out
        }
        return Matrix(rows: features.rows, columns: classCount, values: raw)
    }

    public var summary: JSONObject {
        var o = JSONObject()
        o["n_iter"] = .int(epochs)
        o["loss"] = .double(finalLoss)
        if let bestValidationScore { o["best_validation_score"] = .double(bestValidationScore) }
        return o
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(network); writer.write(classCount); writer.write(epochs); writer.write(finalLoss)
        writer.write(bestValidationScore != nil); writer.write(bestValidationScore ?? 0)
    }

    public init(from reader: inout ByteReader) throws {
        network = try reader.read(); classCount = try reader.readInt(); epochs = try reader.readInt(); finalLoss = try reader.readDouble()
        let hasScore = try reader.readBool(), score = try reader.readDouble()
        bestValidationScore = hasScore ? score : nil
        let width = network.sizes.last!
        guard classCount == 0 ? width == 1 : (classCount == 2 ? width == 1 : width == classCount) else {
            throw MMPError.corrupt("a stored MLP has \(width) outputs for \(classCount) classes")
        }
    }
}
