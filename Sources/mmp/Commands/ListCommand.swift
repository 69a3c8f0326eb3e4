import ArgumentParser
import MMPAdapters
import MMPCore
import MMPLearn

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List what recipes can name: models, adapters, preprocessors, metrics."
    )

    enum What: String, ExpressibleByArgument, CaseIterable {
        case models, adapters, preprocessors, metrics
    }

    @Argument(help: "One of: models, adapters, preprocessors, metrics.")
    var what: What

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "models: print the Markdown reference (every model, alias and hyperparameter) that docs/recipes.md holds.")
    var markdown = false

    func run() throws {
        if markdown {
            guard what == .models else { throw ValidationError("--markdown applies to 'mmp list models' only") }
            return StandardStreams.writeOut(ModelReference.markdown())
        }
        var out: [JSON] = []
        var table: TextTable
        switch what {
        case .models:
            table = TextTable(headers: ["model", "task", "aliases"])
            for m in ModelCatalog.all {
                table.add([m.name, m.task.rawValue, m.aliases.joined(separator: ", ")])
                out.append(["name": .string(m.name), "task": .string(m.task.rawValue), "aliases": .array(m.aliases.map(JSON.string)),
                            "hyperparameters": .array(m.parameters.map { .string($0.name) })])
            }
        case .adapters:
            table = TextTable(headers: ["role", "adapter"])
            let r = AdapterRegistry.standard
            for (role, names) in [("loader", r.loaders.names), ("storage", r.storages.names), ("feature_store", r.featureStores.names)] {
                for name in names {
                    table.add([role, name])
                    out.append(["role": .string(role), "name": .string(name)])
                }
            }
        case .preprocessors:
            table = TextTable(headers: ["type", "applies to", "options"])
            for p in PreprocessorCatalog.all {
                let applies: String
                switch p.defaultColumns { case .numeric: applies = "numeric"; case .categorical: applies = "categorical"; case .all: applies = "all" }
                table.add([p.name, applies, p.options.map(\.name).joined(separator: ", ")])
                out.append(["type": .string(p.name), "options": .array(p.options.map { .string($0.name) })])
            }
        case .metrics:
            table = TextTable(headers: ["metric", "task", "direction"])
            for m in MetricCatalog.all {
                table.add([m.name, m.task.rawValue, m.direction.rawValue])
                out.append(["name": .string(m.name), "task": .string(m.task.rawValue), "direction": .string(m.direction.rawValue)])
            }
        }
        StandardStreams.writeOut(json ? JSON.array(out).prettySerialized() + "\n" : table.render())
    }
}
