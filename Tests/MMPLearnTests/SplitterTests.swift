import MMPCore
import Testing
@testable import MMPLearn

/// The split must match scripts/reference/common.py bit for bit: these values were printed by
/// that script (`SeededGenerator(42)` and `random_split(10, 0.6, 0.2, 0.2, seed=42)`).
@Suite struct SplitterTests {
    @Test func generatorMatchesPythonMirror() {
        var g = SeededGenerator(seed: 42)
        #expect([g.next(), g.next(), g.next()] == [13679457532755275413, 2949826092126892291, 5139283748462763858])
    }

    @Test func randomSplitMatchesPythonMirror() {
        let s = Splitter.random(rowCount: 10, fractions: SplitFractions(train: 0.6, validation: 0.2, test: 0.2), seed: 42)
        #expect(s.train == [1, 2, 3, 4, 6, 7])
        #expect(s.validation == [5, 8])
        #expect(s.test == [0, 9])
    }

    @Test func stratifiedSplitKeepsClassSharesAndCoversEveryRow() {
        let labels = (0..<1000).map { $0 % 10 == 0 ? 1 : 0 }  // 10% positives
        let s = Splitter.random(rowCount: 1000, fractions: SplitFractions(train: 0.7, validation: 0.1, test: 0.2), strata: labels, seed: 7)
        #expect(s.test.filter { labels[$0] == 1 }.count == 20)
        #expect(s.validation.filter { labels[$0] == 1 }.count == 10)
        #expect(Set(s.train + s.validation + s.test).count == 1000)
        #expect(s.train.count + s.validation.count + s.test.count == 1000)
    }

    @Test func temporalSplitNeverTrainsOnTheFuture() throws {
        let keys: [Double] = (0..<100).map { Double(($0 * 37) % 100) }
        let s = try Splitter.temporal(keys: keys, fractions: SplitFractions(train: 0.8, test: 0.2), column: "t")
        let latestTrain = s.train.map { keys[$0] }.max()!
        let earliestTest = s.test.map { keys[$0] }.min()!
        #expect(latestTrain < earliestTest)
        #expect(s.test.count == 20)
    }

    @Test func temporalSplitRejectsMissingTimes() {
        #expect(throws: MMPError.self) {
            try Splitter.temporal(keys: [1, .nan, 3], fractions: SplitFractions(train: 0.5, test: 0.5), column: "t")
        }
    }
}
