import MMPCore
import Testing
@testable import MMPLearn

/// Gradient boosting against LightGBM on the same rows and settings
/// (Fixtures/trees_boosting.json), including missing values and early stopping.
@Suite struct BoostingReferenceTests {
    static let cases = (try? TreeReferenceCase.load("trees_boosting")) ?? []

    @Test func fixtureHasCases() {
        #expect(Self.cases.count >= 6)
    }

    @Test(arguments: cases)
    func scoreMatchesLightGBM(_ c: TreeReferenceCase) throws {
        let data = try TreeReferenceData(c)
        let model = try TreeReferenceRunner.fit(c, data: data)
        let score = try TreeReferenceRunner.score(c, model: model, data: data)
        #expect(abs(score - c.reference) <= c.tolerance,
                "\(c.name): ours \(c.metric) \(score), LightGBM \(c.reference) (± \(c.tolerance)); summary \(model.summary)")
        // scikit-learn's HistGradientBoosting on the same settings, for a second opinion: it bins
        // and counts leaf rows a little differently, so it is held to the randomized tolerance.
        if let hist = c.raw["hist_gradient_boosting"]?.doubleValue {
            #expect(abs(score - hist) <= 0.02, "\(c.name): ours \(c.metric) \(score), HistGradientBoosting \(hist) (± 0.02)")
        }
        if let best = c.raw["best_iteration"]?.intValue {
            // Early stopping: the same best iteration as LightGBM, give or take a few.
            let ours = try #require(model.summary["best_iteration"]?.intValue)
            #expect(abs(ours - best) <= max(5, best / 5), "\(c.name): best iteration ours \(ours), LightGBM \(best)")
        }
    }
}
