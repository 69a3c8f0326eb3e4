#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// How a classifier's probabilities are recalibrated on the calibration split.
public enum CalibrationMethod: String, Sendable, CaseIterable {
    /// Platt scaling: a logistic curve fitted to the scores (few parameters, smooth).
    case sigmoid
    /// Isotonic regression: a non-decreasing step curve (flexible; wants more calibration rows).
    case isotonic
    /// Beta calibration (Kull, Silva Filho and Flach 2017): a logistic curve in ln(s) and
    /// -ln(1-s), three parameters; fits skewed scores that a sigmoid cannot.
    case beta
}

/// Maps one class's uncalibrated score to a calibrated probability.
public enum Calibrator: Sendable, BinaryCodable, Equatable {
    /// p = 1 / (1 + exp(a·score + b)), as scikit-learn's `_SigmoidCalibration`.
    case sigmoid(a: Double, b: Double)
    /// Linear interpolation through (x, y), clipped to the end points, as scikit-learn's
    /// `IsotonicRegression(out_of_bounds="clip")`.
    case isotonic(x: [Double], y: [Double])
    /// p = 1 / (1 + exp(-(a·ln s - b·ln(1 - s) + c))), s clipped to [ε, 1 - ε], as the betacal
    /// package's BetaCalibration (parameters "abm").
    case beta(a: Double, b: Double, c: Double)

    public func callAsFunction(_ score: Double) -> Double {
        switch self {
        case .sigmoid(let a, let b):
            return 1 / (1 + exp(a * score + b))
        case .isotonic(let x, let y):
            guard let first = x.first, let last = x.last else { return 0.5 }
            if score <= first { return y[0] }
            if score >= last { return y[y.count - 1] }
            // The first knot above the score (knots are strictly increasing).
            var lo = 0, hi = x.count - 1
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if x[mid] <= score { lo = mid } else { hi = mid }
            }
            let t = (score - x[lo]) / (x[hi] - x[lo])
            return y[lo] + t * (y[hi] - y[lo])
        case .beta(let a, let b, let c):
            let (lnS, lnNotS) = Calibrator.betaFeatures(score)
            let z = a * lnS + b * lnNotS + c
            return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
        }
    }

    /// ln(s) and -ln(1 - s) with s clipped to [ε, 1 - ε] (ε the double's machine epsilon).
    static func betaFeatures(_ score: Double) -> (Double, Double) {
        let eps = Double.ulpOfOne
        let s = min(max(score, eps), 1 - eps)
        return (log(s), -log(1 - s))
    }

    /// Beta calibration fitted as betacal does: an (almost) unpenalised logistic regression of
    /// the labels on ln(s) and -ln(1-s) (C = 1e11, as its LogisticRegression); when a coefficient
    /// comes out negative, the map would not be monotone, so the other feature alone is refitted
    /// and the negative one set to 0.
    public static func fitBeta(scores: [Double], positive: [Bool]) -> Calibrator {
        let features = scores.map { betaFeatures($0) }
        let both = LogisticFit.fit(features.map { [$0.0, $0.1] }, positive)
        if both.coefficients[0] < 0 {
            let only = LogisticFit.fit(features.map { [$0.1] }, positive)
            return .beta(a: 0, b: only.coefficients[0], c: only.intercept)
        }
        if both.coefficients[1] < 0 {
            let only = LogisticFit.fit(features.map { [$0.0] }, positive)
            return .beta(a: only.coefficients[0], b: 0, c: only.intercept)
        }
        return .beta(a: both.coefficients[0], b: both.coefficients[1], c: both.intercept)
    }

    /// Platt scaling fitted as scikit-learn does: targets smoothed by Platt's priors
    /// ((n₊ + 1)/(n₊ + 2) and 1/(n₋ + 2)), scores rescaled when any exceeds 30 in magnitude, the
    /// binomial log loss minimised over (a, b) — here by Newton's method, which reaches the same
    /// optimum (the loss is convex in a and b).
    public static func fitSigmoid(scores: [Double], positive: [Bool]) -> Calibrator {
        let n = scores.count
        let maxAbs = scores.map(abs).max() ?? 0
        let scale = maxAbs >= 30 ? maxAbs : 1
        let f = scores.map { $0 / scale }
        let positives = Double(positive.filter { $0 }.count), negatives = Double(n) - positives
        let hi = (positives + 1) / (positives + 2), lo = 1 / (negatives + 2)
        let t = positive.map { $0 ? hi : lo }
        var a = 0.0, b = log((negatives + 1) / (positives + 1))
        func loss(_ a: Double, _ b: Double) -> Double {
            var total = 0.0
            for i in 0..<n {
                // p = σ(-(a f + b)); loss = log(1 + e^z) - t·z with z = -(a f + b), written stably.
                let z = -(a * f[i] + b)
                total += (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) - t[i] * z
            }
            return total
        }
        var current = loss(a, b)
        for _ in 0..<200 {
            // Gradient and Hessian of the loss in (a, b).
            var ga = 0.0, gb = 0.0, haa = 0.0, hab = 0.0, hbb = 0.0
            for i in 0..<n {
                let z = -(a * f[i] + b)
                let p = 1 / (1 + exp(-z))
                let d = p - t[i]            // ∂loss/∂z
                let w = p * (1 - p)          // ∂²loss/∂z²
                ga -= d * f[i]; gb -= d
                haa += w * f[i] * f[i]; hab += w * f[i]; hbb += w
            }
            // Levenberg-style damping keeps the step defined when the Hessian is near singular.
            let ridge = 1e-12 * max(1, haa + hbb)
            let det = (haa + ridge) * (hbb + ridge) - hab * hab
            guard det > 0 else { break }
            var da = -((hbb + ridge) * ga - hab * gb) / det
            var db = -((haa + ridge) * gb - hab * ga) / det
            // Backtrack until the loss decreases.
            var step = 1.0, next = loss(a + da, b + db)
            while next > current, step > 1e-10 {
                step /= 2; da /= 2; db /= 2
                next = loss(a + da, b + db)
            }
            if next > current { break }
            a += da; b += db
            let improvement = current - next
            current = next
            if abs(da) + abs(db) < 1e-12 || improvement <= 1e-15 * max(1, abs(current)) { break }
        }
        return .sigmoid(a: a / scale, b: b)
    }

    /// Isotonic regression of the labels on the scores (pool adjacent violators), equal scores
    /// first averaged, as scikit-learn's `IsotonicRegression`; the curve is kept as its knots.
    public static func fitIsotonic(scores: [Double], positive: [Bool]) -> Calibrator {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        // Unique scores with the mean label and the count of each.
        var xs: [Double] = [], ys: [Double] = [], ws: [Double] = []
        for i in order {
            let label = positive[i] ? 1.0 : 0.0
            if let last = xs.last, last == scores[i] {
                let k = xs.count - 1
                ys[k] = (ys[k] * ws[k] + label) / (ws[k] + 1)
                ws[k] += 1
            } else {
                xs.append(scores[i]); ys.append(label); ws.append(1)
            }
        }
        // Pool adjacent violators over blocks (value, weight, number of points).
        var values: [Double] = [], weights: [Double] = [], sizes: [Int] = []
        for k in xs.indices {
            values.append(ys[k]); weights.append(ws[k]); sizes.append(1)
            while values.count > 1, values[values.count - 2] > values[values.count - 1] {
                let w = weights[weights.count - 2] + weights[weights.count - 1]
                let v = (values[values.count - 2] * weights[weights.count - 2] + values[values.count - 1] * weights[weights.count - 1]) / w
                let s = sizes[sizes.count - 2] + sizes[sizes.count - 1]
                values.removeLast(2); weights.removeLast(2); sizes.removeLast(2)
                values.append(v); weights.append(w); sizes.append(s)
            }
        }
        var fitted: [Double] = []
        for (v, s) in zip(values, sizes) { fitted += Array(repeating: v, count: s) }
        // Keep the first and last point of each constant run: the interpolation is unchanged.
        var kx: [Double] = [], ky: [Double] = []
        for k in xs.indices {
            let interior = k > 0 && k < xs.count - 1 && fitted[k - 1] == fitted[k] && fitted[k + 1] == fitted[k]
            if !interior { kx.append(xs[k]); ky.append(fitted[k]) }
        }
        return .isotonic(x: kx, y: ky)
    }

    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .sigmoid(let a, let b): writer.write(UInt8(0)); writer.write(a); writer.write(b)
        case .isotonic(let x, let y): writer.write(UInt8(1)); writer.write(x); writer.write(y)
        case .beta(let a, let b, let c): writer.write(UInt8(2)); writer.write(a); writer.write(b); writer.write(c)
        }
    }

    public init(from reader: inout ByteReader) throws {
        switch try reader.readUInt8() {
        case 0: self = .sigmoid(a: try reader.readDouble(), b: try reader.readDouble())
        case 1:
            let x = try reader.readDoubles(), y = try reader.readDoubles()
            guard x.count == y.count else { throw MMPError.corrupt("isotonic calibrator with \(x.count) knots and \(y.count) values") }
            self = .isotonic(x: x, y: y)
        case 2: self = .beta(a: try reader.readDouble(), b: try reader.readDouble(), c: try reader.readDouble())
        case let tag: throw MMPError.corrupt("unknown calibrator kind \(tag)")
        }
    }
}
