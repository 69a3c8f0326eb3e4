import Foundation
import MMPCore
import MMPLearn
import Testing

/// docs/recipes.md lists every task, model, alias and hyperparameter of the catalog (issue 15's
/// acceptance); its model reference is `mmp list models --markdown`.
@Suite struct ModelReferenceDocsTests {
    @Test func recipesDocNamesEveryTaskModelAliasAndHyperparameter() throws {
        let doc = try String(contentsOfFile: "\(repoRoot)/docs/recipes.md", encoding: .utf8)
        var missing: [String] = []
        for task in MLTask.allCases where !doc.contains("`\(task.rawValue)`") { missing.append("task \(task.rawValue)") }
        for model in ModelCatalog.all {
            for name in [model.name] + model.aliases where !doc.contains("`\(name)`") { missing.append("\(model.name): name or alias \(name)") }
            for spec in model.parameters {
                for name in [spec.name] + spec.aliases where !doc.contains("`\(name)`") { missing.append("\(model.name): hyperparameter \(name)") }
            }
        }
        #expect(missing.isEmpty, "docs/recipes.md lacks (regenerate its model reference with `mmp list models --markdown`):\n\(missing.joined(separator: "\n"))")
    }

    @Test func theDocHoldsTheCurrentReference() throws {
        let doc = try String(contentsOfFile: "\(repoRoot)/docs/recipes.md", encoding: .utf8)
        #expect(doc.contains(ModelReference.markdown()), "docs/recipes.md's model reference is out of date: paste `mmp list models --markdown` under '## Model reference'")
    }
}
