import MMPCore
@testable import MMPLearn
import Testing

/// Causal metrics worked by hand, and the learners against numpy on the uplift data
/// (Fixtures/causal_uplift.json, scripts/reference/causal_reference.py).
@Suite struct CausalMetricsTests {
    static func input(_ y: [Double], _ t: [Double], cate: [Double], control: [Double], treated: [Double]) -> MetricInput {
        var input = MetricInput(truth: y, predicted: cate)
        input.treatment = t; input.controlOutcome = control; input.treatedOutcome = treated
        return input
    }

    static func metric(_ name: String, _ input: MetricInput) -> Double? { MetricCatalog.lookup(name, task: .causal)?.compute(input) }

    @Test func qiniAndUpliftByHand() throws {
        // Ranked by predicted effect: T(y=1), C(y=0), T(y=0), C(y=1).
        let y: [Double] = [1, 0, 0, 1], t: [Double] = [1, 0, 1, 0], cate: [Double] = [4, 3, 2, 1]
        let input = Self.input(y, t, cate: cate, control: [0, 0, 0, 0], treated: [0, 0, 0, 0])
        // Qini after k rows: 1 (k=1, no control yet → Y_t only... N_c = 0 gives 0), then
        // k=2: 1 − 0·1/1 = 1, k=3: 1 − 0·2/1 = 1, k=4: 1 − 1·2/2 = 0. Points (0,0) (¼,0) (½,1) (¾,1) (1,0);
        // the end is 0, so the normalised curve is undefined: no Qini.
        #expect(Self.metric("qini_coefficient", input) == nil)
        // Gain after k rows: (Ȳt − Ȳc)·k: k=2: (1 − 0)·2 = 2, k=3: (½ − 0)·3 = 1.5, k=4: (½ − ½)·4 = 0 → undefined too.
        #expect(Self.metric("uplift_auc", input) == nil)

        let y2: [Double] = [1, 0, 1, 0, 0, 1], t2: [Double] = [1, 0, 1, 0, 1, 0], cate2: [Double] = [6, 5, 4, 3, 2, 1]
        let input2 = Self.input(y2, t2, cate: cate2, control: [Double](repeating: 0, count: 6), treated: [Double](repeating: 0, count: 6))
        // Qini: k=1: 0 (no control) … k=2: 1, k=3: 2, k=4: 2, k=5: 2 − 0·3/2 = 2, k=6: 2 − 1·3/3 = 1.
        // Normalised by the end (1); area over shares of 1/6:
        // [(0+0) + (0+1) + (1+2) + (2+2) + (2+2) + (2+1)] / 2 / 6 = 15 / 12 = 1.25; minus the diagonal's ½.
        let qini = try #require(Self.metric("qini_coefficient", input2))
        #expect(abs(qini - 0.75) < 1e-12)
        // Gain: k=2: (1−0)·2 = 2, k=3: (1−0)·3 = 3, k=4: (1−0)·4 = 4, k=5: (⅔−0)·5 = 10/3, k=6: (⅔−⅓)·6 = 2.
        // Normalised by 2: 0, 0, 1, 1.5, 2, 5/3, 1; area = (0+0+1+2.5+3.5+11/3+8/3)/2/6 … computed below.
        let g = [0, 0, 1, 1.5, 2, 5.0 / 3, 1]
        var area = 0.0
        for k in 1..<g.count { area += (g[k] + g[k - 1]) / 2 / 6 }
        #expect(abs(try #require(Self.metric("uplift_auc", input2)) - area) < 1e-12)
    }

    @Test func aipwEstimateAndInterval() throws {
        let y: [Double] = [3, 1, 4, 1, 5, 9], t: [Double] = [1, 0, 1, 0, 1, 0]
        let control: [Double] = [1, 1, 1, 1, 1, 1], treated: [Double] = [3, 3, 3, 3, 3, 3]
        let input = Self.input(y, t, cate: [2, 2, 2, 2, 2, 2], control: control, treated: treated)
        // ψ = 2 + T(y − 3)/½ − (1 − T)(y − 1)/½: 2, 2, 4, 2, 6, −14.
        let psi: [Double] = [2, 2, 4, 2, 6, -14]
        let mean = psi.reduce(0, +) / 6
        let sd = (psi.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 5).squareRoot()
        #expect(abs(try #require(Self.metric("ate", input)) - mean) < 1e-12)
        #expect(abs(try #require(Self.metric("ate_std", input)) - sd / 6.0.squareRoot()) < 1e-12)
        let lower = try #require(Self.metric("ate_ci_lower", input))
        #expect(abs(lower - (mean - 1.959963984540054 * sd / 6.0.squareRoot())) < 1e-9)
        #expect(abs(NormalQuantile.upper(0.025) - 1.959963984540054) < 1e-12)
        #expect(abs(NormalQuantile.quantile(0.001) + 3.090232306167813) < 1e-12)
    }
}
