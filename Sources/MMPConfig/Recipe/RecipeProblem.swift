import MMPCore

/// One thing wrong with a recipe: where, and what to do about it.
public struct RecipeProblem: Sendable, CustomStringConvertible, Equatable {
    /// `recipes/churn.yaml:14`
    public var location: String
    /// `model.hyperparameters.values.C`
    public var field: String
    public var message: String

    public init(location: String, field: String, message: String) {
        self.location = location; self.field = field; self.message = message
    }

    public var description: String { field.isEmpty ? "\(location): \(message)" : "\(location): \(field): \(message)" }
}

extension MMPError {
    /// An invalid-recipe error listing every problem, one per line.
    public static func invalidRecipe(file: String, problems: [RecipeProblem]) -> MMPError {
        if problems.count == 1 { return MMPError(.invalidRecipe, "invalid recipe \(problems[0])") }
        let lines = problems.map { "  - \($0)" }.joined(separator: "\n")
        return MMPError(.invalidRecipe, "invalid recipe \(file) (\(problems.count) problems):\n\(lines)")
    }
}
