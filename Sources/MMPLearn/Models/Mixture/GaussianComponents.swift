#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// How a mixture's covariances are shaped (scikit-learn's covariance_type).
public enum CovarianceType: String, Sendable, CaseIterable {
    /// One full d×d matrix per component.
    case full
    /// One full matrix shared by all components.
    case tied
    /// One diagonal (d variances) per component.
    case diag
    /// One variance per component.
    case spherical

    /// Free covariance parameters for k components of d features.
    func parameterCount(components k: Int, features d: Int) -> Int {
        switch self {
        case .full: return k * d * (d + 1) / 2
        case .tied: return d * (d + 1) / 2
        case .diag: return k * d
        case .spherical: return k
        }
    }
}

/// A mixture's parameters: weights, means and the Cholesky factors of the precisions, the form
/// scikit-learn evaluates densities with.
///
/// `precisionCholesky` holds, per component (one for tied), for full/tied the upper-triangular
/// d×d factor U with precision = U Uᵀ (row-major), for diag d values 1/σ, for spherical one.
struct GaussianComponents: Sendable, Equatable {
    var type: CovarianceType
    var features: Int
    var weights: [Double]
    var means: [Double]            // k × d
    var covariances: [Double]      // full: k×d×d, tied: d×d, diag: k×d, spherical: k
    var precisionCholesky: [Double]

    var count: Int { weights.count }

    /// scikit-learn's _estimate_gaussian_parameters and _compute_precision_cholesky from
    /// responsibilities (rows × k), in parallel over row chunks.
    static func estimate(_ x: Matrix, responsibilities resp: [Double], components k: Int, type: CovarianceType,
                         regularization reg: Double, pool: WorkerPool) throws -> GaussianComponents {
        let n = x.rows, d = x.columns
        let chunk = pool.chunkSize(for: n, minimum: 4096)
        let chunks = (n + chunk - 1) / chunk
        // Pass 1: Σ r, Σ r x and (diag, spherical) Σ r x².
        let wantSquares = type == .diag || type == .spherical
        let width = k + k * d + (wantSquares ? k * d : 0)
        var partial = [Double](repeating: 0, count: chunks * width)
        partial.withUnsafeMutableBufferPointer { pb in
            x.values.withUnsafeBufferPointer { xb in
                resp.withUnsafeBufferPointer { rb in
                    let p = pb.baseAddress!, xv = xb.baseAddress!, r = rb.baseAddress!
                    pool.forEachChunk(count: n, chunk: chunk) { range, _ in
                        let acc = p + (range.lowerBound / chunk) * width
                        for i in range {
                            let row = xv + i * d
                            for c in 0..<k {
                                let w = r[i * k + c]
                                if w == 0 { continue }
                                acc[c] += w
                                let m = acc + k + c * d
                                for f in 0..<d { m[f] += w * row[f] }
                                if wantSquares {
                                    let s = acc + k + k * d + c * d
                                    for f in 0..<d { s[f] += w * row[f] * row[f] }
                                }
                            }
                        }
                    }
                }
            }
        }
        var totals = [Double](repeating: 0, count: width)
        for c in 0..<chunks { for j in 0..<width { totals[j] += partial[c * width + j] } }
        // nk gets 10·eps so an empty component divides by something, as scikit-learn.
        let nk = (0..<k).map { totals[$0] + 10 * Double.ulpOfOne }
        var means = [Double](repeating: 0, count: k * d)
        for c in 0..<k { for f in 0..<d { means[c * d + f] = totals[k + c * d + f] / nk[c] } }

        var covariances: [Double]
        switch type {
        case .full:
            covariances = scatter(x, resp, means: means, components: k, pool: pool, chunk: chunk)
            for c in 0..<k {
                for a in 0..<d {
                    for b in 0..<d { covariances[c * d * d + a * d + b] /= nk[c] }
                    covariances[c * d * d + a * d + a] += reg
                }
            }
        case .tied:
            // (XᵀX - Σ nk μ μᵀ) / n, as scikit-learn's _estimate_gaussian_covariances_tied.
            covariances = [Double](repeating: 0, count: d * d)
            let gram = Self.gram(x, pool: pool, chunk: chunk)
            let total = nk.reduce(0, +)
            for a in 0..<d {
                for b in 0..<d {
                    var mm = 0.0
                    for c in 0..<k { mm += nk[c] * means[c * d + a] * means[c * d + b] }
                    covariances[a * d + b] = (gram[a * d + b] - mm) / total
                }
                covariances[a * d + a] += reg
            }
        case .diag, .spherical:
            var diag = [Double](repeating: 0, count: k * d)
            for c in 0..<k {
                for f in 0..<d {
                    let avgX2 = totals[k + k * d + c * d + f] / nk[c]
                    let mu = means[c * d + f]
                    let avgXMeans = mu * totals[k + c * d + f] / nk[c]
                    diag[c * d + f] = avgX2 - 2 * avgXMeans + mu * mu + reg
                }
            }
            covariances = type == .diag ? diag : (0..<k).map { c in (0..<d).reduce(0.0) { $0 + diag[c * d + $1] } / Double(d) }
        }
        let weights = nk.map { $0 / Double(n) }
        return GaussianComponents(type: type, features: d, weights: weights, means: means, covariances: covariances,
                                  precisionCholesky: try precisionFactors(covariances, type: type, components: k, features: d))
    }

    /// Per component Σ r (x - μ)(x - μ)ᵀ, k × d × d.
    private static func scatter(_ x: Matrix, _ resp: [Double], means: [Double], components k: Int, pool: WorkerPool, chunk: Int) -> [Double] {
        let n = x.rows, d = x.columns
        let chunks = (n + chunk - 1) / chunk
        let width = k * d * d
        var partial = [Double](repeating: 0, count: chunks * width)
        partial.withUnsafeMutableBufferPointer { pb in
            x.values.withUnsafeBufferPointer { xb in
                resp.withUnsafeBufferPointer { rb in
                    means.withUnsafeBufferPointer { mb in
                        let p = pb.baseAddress!, xv = xb.baseAddress!, r = rb.baseAddress!, mu = mb.baseAddress!
                        pool.forEachChunk(count: n, chunk: chunk) { range, _ in
                            let acc = p + (range.lowerBound / chunk) * width
                            let diff = UnsafeMutablePointer<Double>.allocate(capacity: max(1, d))
                            defer { diff.deallocate() }
                            for i in range {
                                let row = xv + i * d
                                for c in 0..<k {
                                    let w = r[i * k + c]
                                    if w == 0 { continue }
                                    for f in 0..<d { diff[f] = row[f] - mu[c * d + f] }
                                    let s = acc + c * d * d
                                    // Upper triangle only; mirrored below.
                                    for a in 0..<d {
                                        let wa = w * diff[a]
                                        let line = s + a * d
                                        for b in a..<d { line[b] += wa * diff[b] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var out = [Double](repeating: 0, count: width)
        for c in 0..<chunks { for j in 0..<width { out[j] += partial[c * width + j] } }
        for c in 0..<k { for a in 0..<d { for b in 0..<a { out[c * d * d + a * d + b] = out[c * d * d + b * d + a] } } }
        return out
    }

    /// XᵀX.
    private static func gram(_ x: Matrix, pool: WorkerPool, chunk: Int) -> [Double] {
        let ones = [Double](repeating: 1, count: x.rows)
        return scatter(x, ones, means: [Double](repeating: 0, count: x.columns), components: 1, pool: pool, chunk: chunk)
    }

    /// scikit-learn's _compute_precision_cholesky: for full and tied, the covariance's Cholesky
    /// factor L (Σ = L Lᵀ), and U = L⁻ᵀ; for diag and spherical 1/√σ².
    static func precisionFactors(_ covariances: [Double], type: CovarianceType, components k: Int, features d: Int) throws -> [Double] {
        let failure = MMPError.invalidData("GaussianMixture: fitting failed because some components have ill-defined empirical covariance (for instance caused by singleton or collapsed samples); decrease n_components, raise reg_covar, or scale the input data")
        switch type {
        case .diag, .spherical:
            guard covariances.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw failure }
            return covariances.map { 1 / $0.squareRoot() }
        case .full, .tied:
            let blocks = type == .full ? k : 1
            var out = [Double](repeating: 0, count: blocks * d * d)
            for c in 0..<blocks {
                guard let u = inverseCholeskyTransposed(Array(covariances[(c * d * d)..<((c + 1) * d * d)]), d) else { throw failure }
                for j in 0..<(d * d) { out[c * d * d + j] = u[j] }
            }
            return out
        }
    }

    /// U = (L⁻¹)ᵀ for Σ = L Lᵀ (upper triangular, row-major), or nil when Σ is not positive definite.
    static func inverseCholeskyTransposed(_ a: [Double], _ d: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0...i {
                var s = a[i * d + j]
                for m in 0..<j { s -= l[i * d + m] * l[j * d + m] }
                if i == j {
                    guard s > 0, s.isFinite else { return nil }
                    l[i * d + i] = s.squareRoot()
                } else {
                    l[i * d + j] = s / l[j * d + j]
                }
            }
        }
        // Solve L X = I (X = L⁻¹, lower), then U = Xᵀ.
        var inv = [Double](repeating: 0, count: d * d)
        for col in 0..<d {
            for i in col..<d {
                var s = i == col ? 1.0 : 0.0
                for m in col..<i { s -= l[i * d + m] * inv[m * d + col] }
                inv[i * d + col] = s / l[i * d + i]
            }
        }
        var u = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { u[i * d + j] = inv[j * d + i] } }
        return u
    }

    /// log(weight_k) + log N(x | μ_k, Σ_k) for every row and component (rows × k), and per row
    /// the log-sum-exp over components (the row's log-likelihood).
    func weightedLogProbabilities(_ x: Matrix, pool: WorkerPool) -> (values: [Double], rowLikelihood: [Double]) {
        let n = x.rows, d = features, k = count
        var out = [Double](repeating: 0, count: n * k)
        var norms = [Double](repeating: 0, count: n)
        let constant = Double(d) * log(2 * Double.pi)
        // log det of the precision factor, per component.
        let logDet: [Double] = (0..<k).map { c in
            switch type {
            case .full: return (0..<d).reduce(0.0) { $0 + log(precisionCholesky[c * d * d + $1 * d + $1]) }
            case .tied: return (0..<d).reduce(0.0) { $0 + log(precisionCholesky[$1 * d + $1]) }
            case .diag: return (0..<d).reduce(0.0) { $0 + log(precisionCholesky[c * d + $1]) }
            case .spherical: return Double(d) * log(precisionCholesky[c])
            }
        }
        let logWeights = weights.map { log($0) }
        let logDetBuffer = UnsafeMutablePointer<Double>.allocate(capacity: max(1, k))
        let logWeightBuffer = UnsafeMutablePointer<Double>.allocate(capacity: max(1, k))
        defer { logDetBuffer.deallocate(); logWeightBuffer.deallocate() }
        for c in 0..<k { logDetBuffer[c] = logDet[c]; logWeightBuffer[c] = logWeights[c] }
        out.withUnsafeMutableBufferPointer { ob in
            norms.withUnsafeMutableBufferPointer { nb in
                x.values.withUnsafeBufferPointer { xb in
                    means.withUnsafeBufferPointer { mb in
                        precisionCholesky.withUnsafeBufferPointer { pcb in
                            let o = ob.baseAddress!, norm = nb.baseAddress!, xv = xb.baseAddress!, mu = mb.baseAddress!, pc = pcb.baseAddress!
                            pool.forEachChunk(count: n, chunk: pool.chunkSize(for: n, minimum: 2048)) { range, _ in
                                let diff = UnsafeMutablePointer<Double>.allocate(capacity: max(1, d))
                                defer { diff.deallocate() }
                                let logDet = logDetBuffer, logWeights = logWeightBuffer
                                for i in range {
                                    let row = xv + i * d
                                    var top = -Double.infinity
                                    for c in 0..<k {
                                        for f in 0..<d { diff[f] = row[f] - mu[c * d + f] }
                                        var q = 0.0
                                        switch type {
                                        case .full, .tied:
                                            let u = pc + (type == .full ? c * d * d : 0)
                                            // y_j = Σ_{a ≤ j} diff_a U_aj (U upper triangular).
                                            for j in 0..<d {
                                                var y = 0.0
                                                for a in 0...j { y += diff[a] * u[a * d + j] }
                                                q += y * y
                                            }
                                        case .diag:
                                            for f in 0..<d { let y = diff[f] * pc[c * d + f]; q += y * y }
                                        case .spherical:
                                            let p = pc[c]
                                            for f in 0..<d { let y = diff[f] * p; q += y * y }
                                        }
                                        let v = -0.5 * (constant + q) + logDet[c] + logWeights[c]
                                        o[i * k + c] = v
                                        top = max(top, v)
                                    }
                                    var s = 0.0
                                    for c in 0..<k { s += exp(o[i * k + c] - top) }
                                    norm[i] = top + log(s)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (out, norms)
    }

    /// Free parameters: covariances, means and k - 1 weights (scikit-learn's _n_parameters).
    var parameterCount: Int { type.parameterCount(components: count, features: features) + count * features + count - 1 }
}

extension GaussianComponents: BinaryCodable {
    func encode(to writer: inout ByteWriter) {
        writer.write(type.rawValue)
        writer.write(features)
        writer.write(weights); writer.write(means); writer.write(covariances); writer.write(precisionCholesky)
    }

    init(from reader: inout ByteReader) throws {
        guard let type = CovarianceType(rawValue: try reader.readString()) else { throw MMPError.corrupt("unknown covariance type") }
        self.type = type
        features = try reader.readInt()
        weights = try reader.readDoubles(); means = try reader.readDoubles()
        covariances = try reader.readDoubles(); precisionCholesky = try reader.readDoubles()
        let k = weights.count, d = features
        let factors: Int
        switch type {
        case .full: factors = k * d * d
        case .tied: factors = d * d
        case .diag: factors = k * d
        case .spherical: factors = k
        }
        guard k > 0, d > 0, means.count == k * d, precisionCholesky.count == factors else {
            throw MMPError.corrupt("a stored Gaussian mixture does not fit together (\(k) components, \(d) features)")
        }
    }
}
