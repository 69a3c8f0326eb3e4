import MMPCore
import Testing
@testable import MMPLearn

/// Random forests against scikit-learn (Fixtures/trees_random_forest.json). Both sides average
/// the score over the same five seeds, since no two implementations share a random stream.
@Suite struct ForestReferenceTests {
    static let cases = (try? TreeReferenceCase.load("trees_random_forest")) ?? []

    @Test func fixtureHasCases() {
        #expect(Self.cases.count >= 4)
    }

    @Test(arguments: cases)
    func meanScoreOverSeedsMatchesScikitLearn(_ c: TreeReferenceCase) throws {
        let data = try TreeReferenceData(c)
        let seeds = (c.raw["seeds"]?.arrayValue ?? []).compactMap(\.intValue)
        try #require(!seeds.isEmpty)
        var total = 0.0
        for seed in seeds {
            let model = try TreeReferenceRunner.fit(c, data: data, seed: UInt64(seed))
            total += try TreeReferenceRunner.score(c, model: model, data: data)
        }
        let score = total / Double(seeds.count)
        #expect(abs(score - c.reference) <= c.tolerance,
                "\(c.name): ours mean \(c.metric) \(score), scikit-learn \(c.reference) (± \(c.tolerance))")
    }
}
