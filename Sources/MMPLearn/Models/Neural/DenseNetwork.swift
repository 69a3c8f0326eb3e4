#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// A fully connected network as scikit-learn's MLP: weights per layer (fan-in × fan-out,
/// row-major) and biases, a hidden activation, and an output activation matched to the loss
/// (identity with squared error, logistic with binary log loss, softmax with log loss).
struct DenseNetwork: Sendable, Equatable {
    enum Activation: String, Sendable, CaseIterable { case relu, tanh, logistic, identity }
    enum Output: String, Sendable { case identity, logistic, softmax }

    var sizes: [Int]
    var weights: [[Double]]
    var biases: [[Double]]
    var hidden: Activation
    var output: Output

    var layers: Int { weights.count }

    /// Glorot-uniform initial weights and biases, as scikit-learn's _init_coef: bound
    /// √(6 / (fan_in + fan_out)), √(2 / ...) for the logistic activation.
    static func initial(sizes: [Int], hidden: Activation, output: Output, generator: inout SeededGenerator) -> DenseNetwork {
        var weights: [[Double]] = [], biases: [[Double]] = []
        for l in 0..<(sizes.count - 1) {
            let fanIn = sizes[l], fanOut = sizes[l + 1]
            let factor = hidden == .logistic ? 2.0 : 6.0
            let bound = (factor / Double(fanIn + fanOut)).squareRoot()
            weights.append((0..<(fanIn * fanOut)).map { _ in (generator.unit() * 2 - 1) * bound })
            biases.append((0..<fanOut).map { _ in (generator.unit() * 2 - 1) * bound })
        }
        return DenseNetwork(sizes: sizes, weights: weights, biases: biases, hidden: hidden, output: output)
    }

    /// Activations of every layer for `rows` rows of `input` (rows × sizes[0]); the last is the output.
    func forward(_ input: UnsafePointer<Double>, rows: Int) -> [[Double]] {
        var activations: [[Double]] = [Array(UnsafeBufferPointer(start: input, count: rows * sizes[0]))]
        for l in 0..<layers {
            let fanIn = sizes[l], fanOut = sizes[l + 1]
            var z = [Double](repeating: 0, count: rows * fanOut)
            activations[l].withUnsafeBufferPointer { ab in
                weights[l].withUnsafeBufferPointer { wb in
                    z.withUnsafeMutableBufferPointer { zb in
                        let a = ab.baseAddress!, w = wb.baseAddress!, out = zb.baseAddress!
                        for r in 0..<rows {
                            let zr = out + r * fanOut
                            for j in 0..<fanOut { zr[j] = biases[l][j] }
                            for i in 0..<fanIn {
                                let v = a[r * fanIn + i]
                                if v != 0 { VectorMath.axpy(v, w + i * fanOut, zr, fanOut) }
                            }
                        }
                    }
                }
            }
            if l < layers - 1 { Self.activate(&z, hidden) } else { Self.finish(&z, output, rows: rows, width: fanOut) }
            activations.append(z)
        }
        return activations
    }

    static func activate(_ z: inout [Double], _ activation: Activation) {
        switch activation {
        case .relu: for i in z.indices where z[i] < 0 { z[i] = 0 }
        case .tanh: for i in z.indices { z[i] = tanh(z[i]) }
        case .logistic: for i in z.indices { z[i] = logistic(z[i]) }
        case .identity: break
        }
    }

    static func logistic(_ v: Double) -> Double { v >= 0 ? 1 / (1 + exp(-v)) : exp(v) / (1 + exp(v)) }

    static func finish(_ z: inout [Double], _ output: Output, rows: Int, width: Int) {
        switch output {
        case .identity: break
        case .logistic: for i in z.indices { z[i] = logistic(z[i]) }
        case .softmax:
            for r in 0..<rows {
                var top = -Double.infinity
                for j in 0..<width { top = max(top, z[r * width + j]) }
                var total = 0.0
                for j in 0..<width { let e = exp(z[r * width + j] - top); z[r * width + j] = e; total += e }
                for j in 0..<width { z[r * width + j] /= total }
            }
        }
    }

    /// The batch loss (scikit-learn's: squared error / 2, or log loss, plus α/2 · Σ w² / rows)
    /// and the gradients of every layer's weights and biases.
    func lossAndGradients(_ input: UnsafePointer<Double>, _ target: UnsafePointer<Double>, rows: Int, alpha: Double)
        -> (loss: Double, weights: [[Double]], biases: [[Double]]) {
        let activations = forward(input, rows: rows)
        let outputs = sizes[sizes.count - 1]
        let p = activations[layers]
        var loss = 0.0
        let eps = Double.ulpOfOne
        switch output {
        case .identity:
            for i in 0..<(rows * outputs) { let e = target[i] - p[i]; loss += e * e }
            loss /= Double(rows * outputs) * 2
        case .logistic:
            for i in 0..<(rows * outputs) {
                let q = min(max(p[i], eps), 1 - eps)
                loss -= target[i] * log(q) + (1 - target[i]) * log(1 - q)
            }
            loss /= Double(rows)
        case .softmax:
            for i in 0..<(rows * outputs) where target[i] != 0 { loss -= target[i] * log(min(max(p[i], eps), 1 - eps)) }
            loss /= Double(rows)
        }
        var squares = 0.0
        for w in weights { for v in w { squares += v * v } }
        loss += 0.5 * alpha * squares / Double(rows)

        var weightGradients = weights.map { [Double](repeating: 0, count: $0.count) }
        var biasGradients = biases.map { [Double](repeating: 0, count: $0.count) }
        var delta = (0..<(rows * outputs)).map { p[$0] - target[$0] }
        for l in stride(from: layers - 1, through: 0, by: -1) {
            let fanIn = sizes[l], fanOut = sizes[l + 1]
            let a = activations[l]
            a.withUnsafeBufferPointer { ab in
                delta.withUnsafeBufferPointer { db in
                    weightGradients[l].withUnsafeMutableBufferPointer { gb in
                        let av = ab.baseAddress!, d = db.baseAddress!, g = gb.baseAddress!
                        for r in 0..<rows {
                            for i in 0..<fanIn {
                                let v = av[r * fanIn + i]
                                if v != 0 { VectorMath.axpy(v, d + r * fanOut, g + i * fanOut, fanOut) }
                            }
                        }
                    }
                }
            }
            let scale = 1 / Double(rows)
            for i in weightGradients[l].indices { weightGradients[l][i] = (weightGradients[l][i] + alpha * weights[l][i]) * scale }
            for r in 0..<rows { for j in 0..<fanOut { biasGradients[l][j] += delta[r * fanOut + j] } }
            for j in 0..<fanOut { biasGradients[l][j] *= scale }
            guard l > 0 else { break }
            var previous = [Double](repeating: 0, count: rows * fanIn)
            delta.withUnsafeBufferPointer { db in
                weights[l].withUnsafeBufferPointer { wb in
                    let d = db.baseAddress!, w = wb.baseAddress!
                    for r in 0..<rows {
                        for i in 0..<fanIn { previous[r * fanIn + i] = VectorMath.dot(d + r * fanOut, w + i * fanOut, fanOut) }
                    }
                }
            }
            // The hidden activation's derivative, written in terms of its output as scikit-learn does.
            switch hidden {
            case .relu: for i in previous.indices where a[i] == 0 { previous[i] = 0 }
            case .tanh: for i in previous.indices { previous[i] *= 1 - a[i] * a[i] }
            case .logistic: for i in previous.indices { previous[i] *= a[i] * (1 - a[i]) }
            case .identity: break
            }
            delta = previous
        }
        return (loss, weightGradients, biasGradients)
    }
}

extension DenseNetwork: BinaryCodable {
    func encode(to writer: inout ByteWriter) {
        writer.write(sizes)
        for w in weights { writer.write(w) }
        for b in biases { writer.write(b) }
        writer.write(hidden.rawValue)
        writer.write(output.rawValue)
    }

    init(from reader: inout ByteReader) throws {
        sizes = try reader.readInts()
        guard sizes.count >= 2, sizes.count < 1000, sizes.allSatisfy({ $0 > 0 }) else { throw MMPError.corrupt("a stored network has impossible layer sizes") }
        var weights: [[Double]] = [], biases: [[Double]] = []
        for l in 0..<(sizes.count - 1) {
            let w = try reader.readDoubles()
            guard w.count == sizes[l] * sizes[l + 1] else { throw MMPError.corrupt("a stored network layer has the wrong size") }
            weights.append(w)
        }
        for l in 0..<(sizes.count - 1) {
            let b = try reader.readDoubles()
            guard b.count == sizes[l + 1] else { throw MMPError.corrupt("a stored network layer has the wrong size") }
            biases.append(b)
        }
        self.weights = weights
        self.biases = biases
        guard let hidden = Activation(rawValue: try reader.readString()), let output = Output(rawValue: try reader.readString()) else {
            throw MMPError.corrupt("a stored network has an unknown activation")
        }
        self.hidden = hidden
        self.output = output
    }
}
