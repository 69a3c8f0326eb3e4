#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// Metrics of the `causal` task, from the evaluation rows' outcome, treatment and the model's
/// predicted outcomes under control (μ₀) and treatment (μ₁).
///
/// - `ate`: the augmented inverse-propensity-weighted (doubly robust) estimate
///   mean(ψ), ψᵢ = μ₁ᵢ − μ₀ᵢ + Tᵢ(yᵢ − μ₁ᵢ)/p − (1 − Tᵢ)(yᵢ − μ₀ᵢ)/(1 − p), with p the treated share
///   (a randomised experiment's constant propensity). `ate_std` is its standard error
///   sd(ψ)/√n, `ate_ci_lower`/`ate_ci_upper` the normal interval at level 1 − `ate_alpha` (0.05
///   unless the model sets it), `treatment_effect_significance` |ate| / ate_std.
/// - `uplift_auc` and `qini_coefficient`: rows ranked by predicted CATE, highest first (tied
///   predictions, to 12 significant digits, form one step), as causalml's `auuc_score` and `qini_score` with normalize=True:
///   the area under the cumulative-gain curve G(k) = (Ȳₜ(k) − Ȳ꜀(k))·k scaled so that G(n) = 1
///   (random targeting scores 0.5), and the area between the Qini curve
///   Q(k) = Yₜ(k) − Y꜀(k)·Nₜ(k)/N꜀(k) scaled so that Q(n) = 1 and the random diagonal.
/// - `outcome_rmse`: how well the model predicts the observed outcome of each row's own arm.
public enum CausalMetrics: MetricFamily {
    public static let descriptors: [MetricDescriptor] = [
        metric("ate", .maximize, "average treatment effect, doubly robust (AIPW) estimate on the evaluation rows") { $0.ate },
        metric("ate_std", .minimize, "standard error of the ATE estimate", aliases: ["ate_se"]) { $0.standardError },
        metric("ate_ci_lower", .maximize, "lower end of the ATE's confidence interval (level 1 - ate_alpha)") { $0.interval.lower },
        metric("ate_ci_upper", .maximize, "upper end of the ATE's confidence interval (level 1 - ate_alpha)") { $0.interval.upper },
        metric("treatment_effect_significance", .maximize, "|ate| / ate_std, the z statistic of the effect") { e in
            e.standardError > 0 ? abs(e.ate) / e.standardError : nil
        },
        rankMetric("uplift_auc", "area under the normalised cumulative uplift (gain) curve; random targeting scores 0.5",
                   aliases: ["auuc"]) { UpliftCurves.upliftAUC($0) },
        rankMetric("qini_coefficient", "area between the normalised Qini curve and the random diagonal; 0 for random targeting",
                   aliases: ["qini", "qini_score"]) { UpliftCurves.qiniCoefficient($0) },
        MetricDescriptor(name: "outcome_rmse", task: .causal, direction: .minimize,
                         summary: "root mean squared error of the predicted outcome of each row's own arm") { input in
            guard let rows = CausalRows(input) else { return nil }
            var total = 0.0
            for i in 0..<rows.count {
                let predicted = rows.treatment[i] == 1 ? rows.treated[i] : rows.control[i]
                total += (rows.outcome[i] - predicted) * (rows.outcome[i] - predicted)
            }
            return sqrt(total / Double(rows.count))
        },
    ]

    private static func metric(_ name: String, _ direction: MetricDirection, _ summary: String, aliases: [String] = [],
                               _ figure: @escaping @Sendable (EffectEstimate) -> Double?) -> MetricDescriptor {
        MetricDescriptor(name: name, aliases: aliases, task: .causal, direction: direction, summary: summary) { input in
            guard let rows = CausalRows(input), let estimate = EffectEstimate(rows, alpha: input.modelFigures["ate_alpha"] ?? 0.05) else { return nil }
            return figure(estimate)
        }
    }

    private static func rankMetric(_ name: String, _ summary: String, aliases: [String],
                                   _ compute: @escaping @Sendable (CausalRows) -> Double?) -> MetricDescriptor {
        MetricDescriptor(name: name, aliases: aliases, task: .causal, direction: .maximize, summary: summary) { input in
            CausalRows(input).flatMap(compute)
        }
    }
}

/// The evaluation rows a causal metric reads, rows with a missing value dropped.
struct CausalRows: Sendable {
    var outcome: [Double] = []
    var treatment: [Double] = []
    var control: [Double] = []
    var treated: [Double] = []
    var cate: [Double] = []
    var count: Int { outcome.count }

    init?(_ input: MetricInput) {
        guard let t = input.treatment, let c = input.controlOutcome, let m = input.treatedOutcome,
              t.count == input.truth.count, c.count == t.count, m.count == t.count, input.predicted.count == t.count else { return nil }
        for i in 0..<t.count where !input.truth[i].isNaN && (t[i] == 0 || t[i] == 1) && c[i].isFinite && m[i].isFinite && input.predicted[i].isFinite {
            outcome.append(input.truth[i]); treatment.append(t[i]); control.append(c[i]); treated.append(m[i])
            cate.append(input.predicted[i])
        }
        guard count >= 2 else { return nil }
    }

    init(outcome: [Double], treatment: [Double], control: [Double], treated: [Double], cate: [Double]) {
        self.outcome = outcome; self.treatment = treatment; self.control = control; self.treated = treated; self.cate = cate
    }
}

/// The doubly robust ATE estimate, its standard error and interval.
struct EffectEstimate: Sendable {
    var ate: Double
    var standardError: Double
    var interval: (lower: Double, upper: Double)

    init?(_ rows: CausalRows, alpha: Double) {
        let n = Double(rows.count)
        let p = rows.treatment.reduce(0, +) / n
        guard p > 0, p < 1 else { return nil }
        var scores = [Double](repeating: 0, count: rows.count)
        for i in 0..<rows.count {
            let y = rows.outcome[i]
            scores[i] = rows.treated[i] - rows.control[i]
                + (rows.treatment[i] == 1 ? (y - rows.treated[i]) / p : -(y - rows.control[i]) / (1 - p))
        }
        let mean = scores.reduce(0, +) / n
        let variance = scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        ate = mean
        standardError = sqrt(variance / n)
        let z = NormalQuantile.upper(alpha / 2)
        interval = (mean - z * standardError, mean + z * standardError)
    }
}

/// Cumulative uplift and Qini curves over rows ranked by predicted effect.
enum UpliftCurves {
    /// (share of rows, gain, qini) at the end of each group of tied predictions, from (0, 0, 0).
    static func points(_ rows: CausalRows) -> [(x: Double, gain: Double, qini: Double)] {
        let order = rows.cate.indices.sorted { rows.cate[$0] > rows.cate[$1] || (rows.cate[$0] == rows.cate[$1] && $0 < $1) }
        let n = Double(rows.count)
        var out: [(x: Double, gain: Double, qini: Double)] = [(0, 0, 0)]
        var nt = 0.0, nc = 0.0, yt = 0.0, yc = 0.0
        for (k, i) in order.enumerated() {
            if rows.treatment[i] == 1 { nt += 1; yt += rows.outcome[i] } else { nc += 1; yc += rows.outcome[i] }
            let last = k == order.count - 1
            if !last && tied(rows.cate[order[k + 1]], rows.cate[i]) { continue }
            let taken = Double(k + 1)
            let gain = nt > 0 && nc > 0 ? (yt / nt - yc / nc) * taken : 0
            let qini = nc > 0 ? yt - yc * nt / nc : 0
            out.append((taken / n, gain, qini))
        }
        return out
    }

    /// Predictions equal to 12 significant digits are one step: an S-learner's constant effect
    /// differs between rows only by rounding, which must not rank them.
    static func tied(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(abs(a), abs(b)) }

    /// Trapezoid area over x ∈ [0, 1] of `value`, scaled by the curve's end.
    private static func normalisedArea(_ points: [(x: Double, gain: Double, qini: Double)],
                                       _ value: ((x: Double, gain: Double, qini: Double)) -> Double) -> Double? {
        guard let end = points.last.map(value), end != 0, end.isFinite else { return nil }
        var area = 0.0
        for k in 1..<points.count {
            area += (points[k].x - points[k - 1].x) * (value(points[k]) + value(points[k - 1])) / 2
        }
        return area / abs(end)
    }

    static func upliftAUC(_ rows: CausalRows) -> Double? { normalisedArea(points(rows)) { $0.gain } }

    static func qiniCoefficient(_ rows: CausalRows) -> Double? {
        let p = points(rows)
        guard let area = normalisedArea(p, { $0.qini }), let end = p.last?.qini else { return nil }
        // The random diagonal from (0, 0) to (1, Q(n)/|Q(n)|) has area ±0.5.
        return area - (end > 0 ? 0.5 : -0.5)
    }
}

/// Quantiles of the standard normal distribution (Acklam's rational approximation refined by
/// one Halley step: relative error below 1e-15).
public enum NormalQuantile {
    /// z with P(Z > z) = p.
    public static func upper(_ p: Double) -> Double { -quantile(p) }

    public static func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "a probability strictly between 0 and 1")
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = sqrt(-2 * log(p))
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = sqrt(-2 * log(1 - p))
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        // One Halley step on Φ(x) − p.
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}
