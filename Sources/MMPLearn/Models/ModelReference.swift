import MMPCore

/// The Markdown reference of the model catalog (`mmp list models --markdown`): per model its task,
/// summary, aliases and every hyperparameter with its aliases, default and meaning. The model
/// reference in docs/recipes.md is this output, and a test checks that the docs name every model,
/// alias and hyperparameter.
public enum ModelReference {
    public static func markdown(_ models: [ModelDescriptor] = ModelCatalog.all) -> String {
        var out = ""
        for task in MLTask.allCases {
            let group = models.filter { $0.task == task }
            guard !group.isEmpty else { continue }
            out += "### \(task.rawValue)\n\n"
            for m in group {
                out += "#### `\(m.name)`\n\n\(cell(m.summary))."
                if !m.aliases.isEmpty { out += " Aliases: " + m.aliases.map { "`\($0)`" }.joined(separator: ", ") + "." }
                if m.parametersFor != nil { out += " Every other hyperparameter goes to the wrapped model (`base_class_path`)." }
                out += "\n\n"
                guard !m.parameters.isEmpty else { out += "No hyperparameters.\n\n"; continue }
                out += "| parameter | default | meaning |\n|---|---|---|\n"
                for p in m.parameters {
                    let names = ([p.name] + p.aliases).map { "`\($0)`" }.joined(separator: ", ")
                    out += "| \(names) | `\(p.defaultValue.serialized())` | \(cell(p.summary)) |\n"
                }
                out += "\n"
            }
        }
        return out
    }

    /// Text safe inside a table cell: pipes escaped, no line breaks.
    private static func cell(_ text: String) -> String {
        text.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
            .split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " ")
    }
}
