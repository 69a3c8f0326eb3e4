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
    }
}
