#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// scikit-learn's lbfgs objective for logistic regression, with its gradient, in one pass over
/// the rows: (1/S)·Σ sᵢ·lossᵢ + ‖W‖² / (2·C·S), where sᵢ are sample weights (class weights),
/// S their sum, and intercepts are not penalised. Binary problems use one coefficient row
/// (the log-loss of class 1); more classes use one row per class and the softmax loss.
///
/// Parameters are laid out per row of W as d coefficients then the intercept.
struct LogisticObjective {
    let features: Matrix
    let target: [Double]
    let weights: [Double]?
    /// Coefficient rows: 1 for binary, the class count otherwise.
    let outputs: Int
    let fitIntercept: Bool
    /// 1 / (C·S); 0 without a penalty.
    let l2: Double
    let weightSum: Double
    let threads: Int

    var stride: Int { features.columns + 1 }
    var parameterCount: Int { outputs * stride }

    /// f(params), writing ∇f into `gradient`.
    func evaluate(_ params: [Double], _ gradient: inout [Double]) -> Double {
        let d = features.columns, width = parameterCount + 1
        let reduction = ChunkedReduction(rows: features.rows, width: width, threads: threads)
        let totals = features.values.withUnsafeBufferPointer { xBuffer in
            target.withUnsafeBufferPointer { yBuffer in
                params.withUnsafeBufferPointer { pBuffer in
                    let x = xBuffer.baseAddress!, y = yBuffer.baseAddress!, p = pBuffer.baseAddress!
                    return reduction.sum { rows, acc in
                        if outputs == 1 {
                            binaryPass(x, y, p, d, rows, acc)
                        } else {
                            softmaxPass(x, y, p, d, rows, acc)
                        }
                    }
                }
            }
        }
        var loss = totals[parameterCount] / weightSum
        for k in 0..<parameterCount { gradient[k] = totals[k] / weightSum }
        for c in 0..<outputs {
            for j in 0..<d {
                let w = params[c * stride + j]
                loss += 0.5 * l2 * w * w
                gradient[c * stride + j] += l2 * w
            }
            if !fitIntercept { gradient[c * stride + d] = 0 }
        }
        return loss
    }

    /// Rows `rows`: acc[0..<d] += rᵢ·xᵢ, acc[d] += rᵢ, acc[d+1] += lossᵢ, with rᵢ = sᵢ(σ(zᵢ) − yᵢ).
    @inline(__always)
    private func binaryPass(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ p: UnsafePointer<Double>,
                            _ d: Int, _ rows: Range<Int>, _ acc: UnsafeMutablePointer<Double>) {
        let b = fitIntercept ? p[d] : 0
        var interceptSum = 0.0, lossSum = 0.0
        for i in rows {
            let row = x + i * d
            let z = VectorMath.dot(row, p, d) + b
            let label = y[i]
            // log(1 + eᶻ) − y·z, and σ(z), without overflow for large |z|.
            let e = exp(-abs(z))
            let softplus = max(z, 0) + log1p(e)
            let sigma = z >= 0 ? 1 / (1 + e) : e / (1 + e)
            var r = sigma - label
            var l = softplus - label * z
            if let weights { let s = weights[i]; r *= s; l *= s }
            VectorMath.axpy(r, row, acc, d)
            interceptSum += r
            lossSum += l
        }
        acc[d] += interceptSum
        acc[d + 1] += lossSum
    }

    /// Rows `rows` of the softmax loss: for each class c, acc[c·(d+1) ..< +d] += rᵢc·xᵢ and the
    /// intercept slot += rᵢc with rᵢc = sᵢ(pᵢc − [yᵢ = c]); the loss slot += sᵢ(logΣeᶻ − z_y).
    @inline(__always)
    private func softmaxPass(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ p: UnsafePointer<Double>,
                             _ d: Int, _ rows: Range<Int>, _ acc: UnsafeMutablePointer<Double>) {
        let k = outputs, stride = d + 1
        var z = [Double](repeating: 0, count: k)
        var lossSum = 0.0
        z.withUnsafeMutableBufferPointer { zb in
            let z = zb.baseAddress!
            for i in rows {
                let row = x + i * d
                var top = -Double.infinity
                for c in 0..<k {
                    z[c] = VectorMath.dot(row, p + c * stride, d) + (fitIntercept ? p[c * stride + d] : 0)
                    top = max(top, z[c])
                }
                let label = Int(y[i])
                let labelLogit = z[label]
                var total = 0.0
                for c in 0..<k { z[c] = exp(z[c] - top); total += z[c] }
                let s = weights?[i] ?? 1
                // log Σ e^z − z_y, shifted by the largest logit so nothing overflows.
                lossSum += s * (log(total) + top - labelLogit)
                for c in 0..<k {
                    let r = s * (z[c] / total - (c == label ? 1 : 0))
                    VectorMath.axpy(r, row, acc + c * stride, d)
                    acc[c * stride + d] += r
                }
            }
        }
        acc[k * stride] += lossSum
    }
}
