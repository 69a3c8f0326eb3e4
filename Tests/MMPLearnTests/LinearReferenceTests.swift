import MMPCore
import Testing
@testable import MMPLearn

/// Linear models against scikit-learn on real and generated data (fixtures written by
/// scripts/reference/linear_reference.py; tolerances are stated in each fixture).
@Suite struct LinearReferenceTests {
    static let cases = ReferenceFixture.names(prefix: "linear_")
    static let recipes = ReferenceFixture.names(prefix: "recipe_")

    @Test func fixturesArePresent() {
        #expect(Self.cases.count >= 12)
        #expect(Self.recipes.count >= 3)
    }

    @Test(arguments: cases)
    func matchesScikitLearn(_ name: String) throws {
        let reference = try ReferenceCase(name)
        try reference.expectMatches(try reference.run())
    }

    /// The example recipes under recipes/, as the pipeline runs them: the lead's end-to-end
    /// test checks `mmp train` against the same fixtures.
    @Test(arguments: recipes)
    func exampleRecipeMatchesScikitLearn(_ name: String) throws {
        let reference = try ReferenceCase(name)
        try reference.expectMatches(try reference.run())
    }
}
