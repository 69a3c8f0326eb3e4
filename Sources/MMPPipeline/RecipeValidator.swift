import MMPAdapters
import MMPConfig
import MMPCore
import MMPLearn

/// Checks a decoded recipe against what mmp can do: the model exists for the task and takes the
/// given hyperparameters, the preprocessing steps and their options exist, the metrics exist for
/// the task, and the search space names real hyperparameters. With a table it also checks that
/// the columns the recipe names are in the data.
public enum RecipeValidator {
    public static func problems(_ recipe: Recipe, document: YAMLDocument? = nil) -> [RecipeProblem] {
        var out: [RecipeProblem] = []
        func add(_ field: String, _ message: String) {
            out.append(RecipeProblem(location: document?.location(of: field) ?? recipe.file, field: field, message: message))
        }
        let hp = recipe.model.hyperparameters
        // Model and hyperparameters.
        if let model = ModelCatalog.lookup(recipe.model.classPath, task: recipe.task) {
            if !ModelCatalog.serves(model, task: recipe.task) {
                add("model.class_path", "\(model.name) is a \(model.task.rawValue) model but task_choice is \(recipe.task.rawValue); use a \(recipe.task.rawValue) model (\(ModelCatalog.all.filter { ModelCatalog.serves($0, task: recipe.task) }.map(\.name).joined(separator: ", ")))")
            }
            let base = hp.tuningEnabled ? "model.hyperparameters.fixed" : "model.hyperparameters.values"
            for p in model.resolve(hp.baseValues).1 { add("\(base).\(p.name)", p.message) }
            for t in hp.tunable {
                // Settings mmp accepts and ignores everywhere (warm_start, n_jobs, ...) may be searched over too.
                if model.spec(named: t.name, given: hp.baseValues) == nil, CommonParameters.ignored.contains(t.name) { continue }
                guard let spec = model.spec(named: t.name, given: hp.baseValues) else {
                    let known = model.parameters(given: hp.baseValues).flatMap { [$0.name] + $0.aliases }
                    add(t.path, "not a hyperparameter of \(model.name)\(Suggestion.hint(for: t.name, in: known))")
                    continue
                }
                // Every value the space can produce must be acceptable to the model.
                let samples: [JSON]
                switch t.kind {
                case .int: samples = [.int(Int(t.low)), .int(Int(t.high))]
                case .float: samples = [.double(t.low), .double(t.high)]
                case .categorical: samples = t.choices
                }
                for sample in samples {
                    if case .failure(let p) = spec.accept(sample) {
                        add(t.path, "search space value \(sample.plainText) is not valid: \(p.message)")
                        break
                    }
                }
            }
        } else if let refusal = DeepModels.refusal(for: recipe.model.classPath) {
            add("model.class_path", refusal)
        } else {
            let candidates = ModelCatalog.all.filter { ModelCatalog.serves($0, task: recipe.task) }
            let names = candidates.flatMap { [$0.name] + $0.aliases }
            add("model.class_path", "unknown model '\(recipe.model.classPath)'\(Suggestion.hint(for: recipe.model.classPath, in: names)) (\(recipe.task.rawValue) models: \(candidates.map(\.name).joined(separator: ", ")); `mmp list models` shows their aliases)")
        }
        // Preprocessing.
        for step in recipe.preprocessor {
            guard let d = PreprocessorCatalog.lookup(step.type) else {
                let names = PreprocessorCatalog.all.map(\.name)
                add("\(step.path).type", "unknown preprocessor '\(step.type)'\(Suggestion.hint(for: step.type, in: names)) (known: \(names.joined(separator: ", ")))")
                continue
            }
            let (options, problems) = d.resolve(step.options)
            for p in problems { add("\(step.path).\(p.name)", p.message) }
            if problems.isEmpty {
                do { _ = try d.make(options) } catch { add(step.path, MMPError.wrap(error).message) }
            }
        }
        // Metrics.
        let known = MetricCatalog.names(for: recipe.task)
        for (i, metric) in recipe.evaluation.metrics.enumerated() where MetricCatalog.lookup(metric, task: recipe.task) == nil {
            add("evaluation.metrics[\(i)]", "unknown \(recipe.task.rawValue) metric '\(metric)'\(Suggestion.hint(for: metric, in: known)) (known: \(known.joined(separator: ", ")))")
        }
        if let metric = hp.optimizationMetric, MetricCatalog.lookup(metric, task: recipe.task) == nil {
            add("model.hyperparameters.optimization_metric", "unknown \(recipe.task.rawValue) metric '\(metric)'\(Suggestion.hint(for: metric, in: known)); tuning needs a metric it can score (known: \(known.joined(separator: ", ")))")
        }
        return out
    }

    /// Column checks against loaded data (after the feature store join).
    public static func dataProblems(_ recipe: Recipe, table: Table) -> [RecipeProblem] {
        dataProblems(recipe, columnNames: table.columnNames)
    }

    /// Column checks against the names of the loaded columns. `unknownExtra` says that more columns
    /// may join later (a feature store view whose features are not listed): feature columns are
    /// then not checked.
    public static func dataProblems(_ recipe: Recipe, columnNames names: [String], document: YAMLDocument? = nil,
                                    unknownExtra: Bool = false) -> [RecipeProblem] {
        var out: [RecipeProblem] = []
        let present = Set(names)
        func check(_ column: String, _ field: String, _ role: String) {
            if present.contains(column) { return }
            if unknownExtra && role == "feature column" { return }
            out.append(RecipeProblem(location: document?.location(of: field) ?? recipe.file, field: field,
                                     message: "\(role) '\(column)' is not in the data\(Suggestion.hint(for: column, in: names)) (columns: \(names.prefix(20).joined(separator: ", "))\(names.count > 20 ? ", …" : ""))"))
        }
        let di = recipe.data.dataInterface
        if let target = di.targetColumn { check(target, "data.data_interface.target_column", "target column") }
        for (i, c) in di.entityColumns.enumerated() { check(c, "data.data_interface.entity_columns[\(i)]", "entity column") }
        for (i, c) in (di.featureColumns ?? []).enumerated() { check(c, "data.data_interface.feature_columns[\(i)]", "feature column") }
        if let ts = di.timestampColumn { check(ts, "data.data_interface.timestamp_column", "timestamp column") }
        if recipe.task == .causal, let t = di.treatmentColumn { check(t, "data.data_interface.treatment_column", "treatment column") }
        if recipe.data.split.strategy == .temporal, let c = recipe.data.split.temporalColumn { check(c, "data.split.temporal_column", "temporal column") }
        return out
    }

    /// Throws one error listing every problem, or returns when there are none.
    public static func validate(_ recipe: Recipe, document: YAMLDocument? = nil) throws {
        let found = problems(recipe, document: document)
        if !found.isEmpty { throw MMPError.invalidRecipe(file: recipe.file, problems: found) }
    }
}

extension RecipeValidator {
    /// Checks the recipe's column roles against the data source's columns when the environment's
    /// loader can name them cheaply. Returns the problems, or a note saying why columns were not
    /// checked (a missing password, a server that is down), which is not a problem of the recipe.
    public static func columnProblems(_ recipe: Recipe, document: YAMLDocument?, config: AppConfig, registry: AdapterRegistry,
                                      sqlText: String?) -> (problems: [RecipeProblem], note: String?) {
        do {
            let loader = try registry.loader(for: config)
            let directory = recipe.file.contains("/") ? String(recipe.file[..<recipe.file.lastIndex(of: "/")!]) : nil
            let request = LoadRequest(sourceURI: recipe.data.loader.sourceURI, sqlText: sqlText,
                                      parameters: recipe.data.loader.parameters, recipeDirectory: directory)
            guard var names = try loader.columnNames(request) else {
                return ([], "columns not checked: the \(try config.adapterName(for: "loader") ?? "") loader cannot list them without loading")
            }
            var unknownExtra = false
            if recipe.data.fetcher.kind == .featureStore {
                for view in recipe.data.fetcher.featureViews {
                    if let features = view.features { names += features } else { unknownExtra = true }
                }
            }
            return (dataProblems(recipe, columnNames: names, document: document, unknownExtra: unknownExtra), nil)
        } catch let error as MMPError where error.kind == .notFound {
            return ([RecipeProblem(location: document?.location(of: "data.loader.source_uri") ?? recipe.file,
                                   field: "data.loader.source_uri", message: error.message)], nil)
        } catch {
            return ([], "columns not checked: \(MMPError.wrap(error).message)")
        }
    }
}
