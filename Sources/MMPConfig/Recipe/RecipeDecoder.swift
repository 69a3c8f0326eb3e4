import MMPCore

/// Turns a recipe's YAML into a `Recipe`, checking its structure: field names (with the closest
/// known name for a typo), types, ranges and the rules that tie fields together. Whether the
/// model, preprocessors and metrics exist is checked later against the catalogs
/// (MMPPipeline's `RecipeValidator`), which this module cannot see.
public enum RecipeDecoder {
    public static let supportedTasks = MLTask.allCases.map(\.rawValue)

    public static func decode(_ document: YAMLDocument) throws -> Recipe {
        try decode(document.root, file: document.path, document: document)
    }

    public static func decode(_ root: JSON, file: String, document: YAMLDocument? = nil) throws -> Recipe {
        let reader = FieldReader(document: document, file: file)
        let recipe = decode(root, reader: reader)
        if !reader.problems.isEmpty || recipe == nil {
            throw MMPError.invalidRecipe(file: file, problems: reader.problems.isEmpty
                ? [RecipeProblem(location: file, field: "", message: "could not be read")] : reader.problems)
        }
        return recipe!
    }

    static func decode(_ root: JSON, reader r: FieldReader) -> Recipe? {
        guard let top = r.object(root, path: "", required: true) else {
            if !root.isNull { return nil }
            r.problem("", "the file is empty; a recipe needs at least name, task_choice, model and data")
            return nil
        }
        r.checkKeys(top, path: "", known: ["name", "task_choice", "model", "data", "preprocessor", "evaluation", "metadata", "monitoring"])

        let name = r.string(top, "name", path: "", required: true) ?? ""
        var task = MLTask.classification
        if let text = r.string(top, "task_choice", path: "", required: true) {
            if let t = MLTask(rawValue: text.lowercased()) {
                task = t
            } else {
                r.problem("task_choice", "'\(text)' is not a task\(Suggestion.hint(for: text, in: supportedTasks)) (expected one of: \(supportedTasks.joined(separator: ", ")))")
            }
        }

        let model = decodeModel(top["model"], reader: r)
        let data = decodeData(top["data"], task: task, reader: r)
        let steps = decodePreprocessor(top["preprocessor"], reader: r)
        let evaluation = decodeEvaluation(top["evaluation"], reader: r)
        let monitoring = decodeMonitoring(top["monitoring"], reader: r)
        var metadata = JSONObject()
        if let meta = r.object(top["metadata"], path: "metadata", required: false) { metadata = meta }

        guard let model, let data else { return nil }
        if model.hyperparameters.tuningEnabled, data.split.validation <= 0 {
            r.problem("data.split.validation", "tuning scores trials on the validation split, so it must be above 0 when tuning_enabled is true (for example train: 0.7, validation: 0.15, test: 0.15)")
        }
        if model.calibrationMethod != nil {
            if task != .classification {
                r.problem("model.calibration.enabled", "probability calibration is for classification only")
            } else if data.split.calibration <= 0 {
                r.problem("data.split.calibration", "model.calibration is enabled, so the split needs a calibration share above 0 (rows the model never trains on), e.g. train: 0.6, validation: 0.1, calibration: 0.1, test: 0.2")
            }
        } else if data.split.calibration > 0 {
            r.problem("data.split.calibration", "a calibration share is only used when model.calibration.enabled is true; enable calibration or give these rows to train")
        }
        if task == .clustering, model.hyperparameters.tuningEnabled, data.split.validation <= 0 {
            r.problem("data.split.validation", "tuning a clustering model scores trials on the validation rows; give validation a share above 0")
        }
        var recipe = Recipe(name: name, task: task, model: model, data: data, preprocessor: steps, evaluation: evaluation,
                            metadata: metadata, snapshot: root, file: r.file)
        recipe.monitoring = monitoring
        return recipe
    }

    // MARK: model

    static func decodeModel(_ value: JSON?, reader r: FieldReader) -> ModelSection? {
        guard let model = r.object(value, path: "model", required: true) else { return nil }
        r.checkKeys(model, path: "model", known: ["class_path", "library", "hyperparameters", "calibration", "computed"])
        let classPath = r.string(model, "class_path", path: "model", required: true) ?? ""
        let library = r.string(model, "library", path: "model")
        var calibrationMethod: String?
        if let calibration = r.object(model["calibration"], path: "model.calibration", required: false) {
            r.checkKeys(calibration, path: "model.calibration", known: ["enabled", "method"])
            let method = r.string(calibration, "method", path: "model.calibration", allowed: ["sigmoid", "isotonic", "beta"]) ?? "sigmoid"
            if r.bool(calibration, "enabled", path: "model.calibration", default: false) { calibrationMethod = method }
        }
        let hp = decodeHyperparameters(model["hyperparameters"], reader: r)
        return ModelSection(classPath: classPath, library: library, hyperparameters: hp, calibrationMethod: calibrationMethod)
    }

    static func decodeHyperparameters(_ value: JSON?, reader r: FieldReader) -> HyperparameterSection {
        let path = "model.hyperparameters"
        var section = HyperparameterSection(tuningEnabled: false, values: JSONObject(), fixed: JSONObject(), tunable: [],
                                            nTrials: 20, timeout: nil, optimizationMetric: nil, direction: nil,
                                            refitOnTrainAndValidation: true)
        guard let hp = r.object(value, path: path, required: false) else { return section }
        r.checkKeys(hp, path: path, known: ["tuning_enabled", "values", "fixed", "tunable", "n_trials", "timeout",
                                            "optimization_metric", "direction", "refit"])
        section.tuningEnabled = r.bool(hp, "tuning_enabled", path: path, default: false)
        section.values = r.object(hp["values"], path: "\(path).values", required: false) ?? JSONObject()
        section.fixed = r.object(hp["fixed"], path: "\(path).fixed", required: false) ?? JSONObject()
        section.nTrials = r.int(hp, "n_trials", path: path, default: 20, range: 1...100_000) ?? 20
        if let t = hp["timeout"], !t.isNull {
            if let seconds = t.doubleValue {
                if seconds > 0 { section.timeout = seconds } else { r.problem("\(path).timeout", "expected a positive number of seconds, found \(t.plainText)") }
            } else if case .string(let s) = t, let seconds = try? DurationParser.seconds(s) {
                section.timeout = seconds
            } else {
                r.problem("\(path).timeout", "expected seconds or a duration such as 10m, found \(t.typeDescription)")
            }
        }
        section.optimizationMetric = r.string(hp, "optimization_metric", path: path)
        section.direction = r.string(hp, "direction", path: path, allowed: ["maximize", "minimize"])
        section.refitOnTrainAndValidation = r.bool(hp, "refit", path: path, default: true)

        let tunableObject = r.object(hp["tunable"], path: "\(path).tunable", required: false)
        if let tunable = tunableObject {
            for (name, spec) in tunable {
                if let parameter = decodeTunable(name: name, spec, path: "\(path).tunable.\(name)", reader: r) {
                    section.tunable.append(parameter)
                }
            }
        }
        if section.tuningEnabled {
            if tunableObject?.isEmpty ?? true {
                r.problem("\(path).tunable", "tuning_enabled is true but no tunable parameters are given; add a search space such as `C: {type: float, range: [0.01, 10], log: true}`")
            }
            if !section.values.isEmpty {
                r.problem("\(path).values", "values is only read when tuning_enabled is false; with tuning on, put held parameters under fixed")
            }
            for p in section.tunable where section.fixed[p.name] != nil {
                r.problem("\(path).fixed.\(p.name)", "'\(p.name)' is both fixed and tunable; keep it in one place")
            }
        } else {
            if !section.fixed.isEmpty { r.problem("\(path).fixed", "fixed is only read when tuning_enabled is true; with tuning off, put hyperparameters under values") }
            if !section.tunable.isEmpty { r.problem("\(path).tunable", "tunable is only read when tuning_enabled is true; set tuning_enabled: true or move the values under values") }
        }
        return section
    }

    static func decodeTunable(name: String, _ value: JSON, path: String, reader r: FieldReader) -> TunableParameter? {
        guard let spec = r.object(value, path: path, required: true) else { return nil }
        r.checkKeys(spec, path: path, known: ["type", "range", "low", "high", "log", "choices", "values"])
        guard let typeText = r.string(spec, "type", path: path, required: true, allowed: ["int", "float", "categorical"]),
              let kind = TunableParameter.Kind(rawValue: typeText) else { return nil }
        let log = r.bool(spec, "log", path: path, default: false)
        if kind == .categorical {
            let list = spec["choices"] ?? spec["values"] ?? spec["range"]
            guard let choices = list?.arrayValue, !choices.isEmpty else {
                r.problem("\(path).choices", "a categorical parameter needs choices: a non-empty list of values")
                return nil
            }
            return TunableParameter(name: name, kind: kind, choices: choices, path: path)
        }
        var low = r.double(spec, "low", path: path, default: nil)
        var high = r.double(spec, "high", path: path, default: nil)
        if let range = spec["range"] {
            // Numbers may come quoted: PyYAML reads `1e-6` as text, and the Python tool's template
            // prints the catalog's ranges back as ['1e-6', '1e-2'].
            func number(_ v: JSON) -> Double? { v.doubleValue ?? v.stringValue.flatMap { Double($0.trimmed()) } }
            if let items = range.arrayValue, items.count == 2, let a = number(items[0]), let b = number(items[1]) {
                low = a; high = b
            } else {
                r.problem("\(path).range", "expected [low, high] with two numbers, found \(range.typeDescription)")
                return nil
            }
        }
        guard let lo = low, let hi = high else {
            r.problem("\(path).range", "a numeric parameter needs range: [low, high]")
            return nil
        }
        guard lo < hi else {
            r.problem("\(path).range", "low (\(JSON.format(lo))) must be below high (\(JSON.format(hi)))")
            return nil
        }
        if log, lo <= 0 {
            r.problem("\(path).range", "a log-scale range must be above 0, found low \(JSON.format(lo))")
            return nil
        }
        if kind == .int, lo.rounded() != lo || hi.rounded() != hi {
            r.problem("\(path).range", "an int parameter needs whole-number bounds")
            return nil
        }
        return TunableParameter(name: name, kind: kind, low: lo, high: hi, log: log, path: path)
    }

    // MARK: data

    static func decodeData(_ value: JSON?, task: MLTask, reader r: FieldReader) -> DataSection? {
        guard let data = r.object(value, path: "data", required: true) else { return nil }
        r.checkKeys(data, path: "data", known: ["loader", "fetcher", "data_interface", "split"])

        var loader = LoaderSection(sourceURI: "", parameters: JSONObject())
        if let l = r.object(data["loader"], path: "data.loader", required: true) {
            r.checkKeys(l, path: "data.loader", known: ["source_uri", "parameters"])
            loader.sourceURI = r.string(l, "source_uri", path: "data.loader", required: true) ?? ""
            loader.parameters = r.object(l["parameters"], path: "data.loader.parameters", required: false) ?? JSONObject()
            for (key, value) in loader.parameters {
                if case .array = value { r.problem("data.loader.parameters.\(key)", "expected a single value, found a list") }
                if case .object = value { r.problem("data.loader.parameters.\(key)", "expected a single value, found a mapping") }
            }
        }

        var interface = DataInterfaceSection(targetColumn: nil, entityColumns: [], featureColumns: nil, timestampColumn: nil)
        if let di = r.object(data["data_interface"], path: "data.data_interface", required: true) {
            let p = "data.data_interface"
            r.checkKeys(di, path: p, known: ["target_column", "entity_columns", "feature_columns", "timestamp_column", "treatment_column"])
            interface.targetColumn = r.string(di, "target_column", path: p, required: task != .clustering)
            interface.entityColumns = r.stringList(di, "entity_columns", path: p) ?? []
            interface.featureColumns = r.stringList(di, "feature_columns", path: p)
            interface.timestampColumn = r.string(di, "timestamp_column", path: p)
            interface.treatmentColumn = r.string(di, "treatment_column", path: p)
            decodeTaskColumns(task: task, interface: interface, path: p, reader: r)
            if let target = interface.targetColumn {
                if interface.entityColumns.contains(target) { r.problem("\(p).entity_columns", "'\(target)' is the target column; it cannot also be an entity column") }
                if interface.featureColumns?.contains(target) == true { r.problem("\(p).feature_columns", "'\(target)' is the target column; remove it from feature_columns") }
            }
            if let features = interface.featureColumns {
                if features.isEmpty { r.problem("\(p).feature_columns", "an empty list leaves nothing to learn from; list columns, or remove the field to use every column") }
                let duplicates = Dictionary(grouping: features, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
                if !duplicates.isEmpty { r.problem("\(p).feature_columns", "listed twice: \(duplicates.joined(separator: ", "))") }
            }
        }

        var fetcher = FetcherSection(kind: .passThrough, featureViews: [], timestampColumn: nil)
        if let f = r.object(data["fetcher"], path: "data.fetcher", required: false) {
            let p = "data.fetcher"
            r.checkKeys(f, path: p, known: ["type", "feature_views", "timestamp_column"])
            if let kind = r.string(f, "type", path: p, required: true, allowed: ["pass_through", "feature_store"]) {
                fetcher.kind = FetcherSection.Kind(rawValue: kind)!
            }
            fetcher.timestampColumn = r.string(f, "timestamp_column", path: p) ?? interface.timestampColumn
            fetcher.featureViews = decodeFeatureViews(f["feature_views"], path: "\(p).feature_views", reader: r)
            if fetcher.kind == .featureStore {
                if fetcher.featureViews.isEmpty { r.problem("\(p).feature_views", "a feature_store fetcher needs feature_views: the views to join (see features/*.yaml)") }
                if fetcher.timestampColumn == nil { r.problem("\(p).timestamp_column", "a feature_store fetcher needs the timestamp column of the loaded rows, for the point-in-time join") }
                if interface.entityColumns.isEmpty { r.problem("data.data_interface.entity_columns", "a feature_store fetcher joins on the entity columns; list them") }
            } else if !fetcher.featureViews.isEmpty {
                r.problem("\(p).feature_views", "feature_views is only read when type is feature_store")
            }
            for view in fetcher.featureViews {
                if let key = view.joinKey, !interface.entityColumns.contains(key) {
                    r.problem("\(p).feature_views.\(view.name).join_key", "'\(key)' is not one of data.data_interface.entity_columns (\(interface.entityColumns.joined(separator: ", "))); the loaded rows must carry the key the view is joined on")
                }
            }
        }

        var split = SplitSection(strategy: .random, temporalColumn: nil, train: 0.8, validation: 0, test: 0.2, calibration: 0, stratify: true)
        if let s = r.object(data["split"], path: "data.split", required: false) {
            let p = "data.split"
            r.checkKeys(s, path: p, known: ["strategy", "temporal_column", "train", "validation", "test", "calibration", "stratify"])
            if let strategy = r.string(s, "strategy", path: p, allowed: ["random", "temporal"]) {
                split.strategy = SplitSection.Strategy(rawValue: strategy)!
            }
            split.temporalColumn = r.string(s, "temporal_column", path: p)
            let given = ["train", "validation", "test", "calibration"].filter { s[$0] != nil && !(s[$0]!.isNull) }
            split.train = r.double(s, "train", path: p, default: nil, range: 0...1) ?? 0
            split.validation = r.double(s, "validation", path: p, default: 0, range: 0...1) ?? 0
            split.test = r.double(s, "test", path: p, default: 0, range: 0...1) ?? 0
            split.calibration = r.double(s, "calibration", path: p, default: 0, range: 0...1) ?? 0
            if s["train"] == nil { split.train = max(0, 1 - split.validation - split.test - split.calibration) }
            split.stratify = r.bool(s, "stratify", path: p, default: true)
            let total = split.train + split.validation + split.test + split.calibration
            if !given.isEmpty, abs(total - 1) > 1e-6 {
                r.problem(p, "train, validation, test and calibration must add up to 1, found \(JSON.format((total * 1e6).rounded() / 1e6))")
            }
            if split.train <= 0 { r.problem("\(p).train", "the training share must be above 0") }
            if task != .clustering, split.test <= 0, split.validation <= 0 {
                r.problem("\(p).test", "a test (or validation) share above 0 is needed to report metrics")
            }
            if split.strategy == .temporal {
                if split.temporalColumn == nil { split.temporalColumn = interface.timestampColumn }
                if split.temporalColumn == nil { r.problem("\(p).temporal_column", "a temporal split needs temporal_column: the column to order rows by") }
            }
            if task == .timeseries, s["strategy"] != nil, split.strategy != .temporal {
                r.problem("\(p).strategy", "a time series is split chronologically (oldest rows train, newest test); remove strategy or set it to temporal")
            }
        }
        if task == .timeseries {
            // Chronological by the timestamp column, whatever the recipe says (the Python tool does the same).
            split.strategy = .temporal
            if split.temporalColumn == nil { split.temporalColumn = interface.timestampColumn }
        }
        return DataSection(loader: loader, fetcher: fetcher, dataInterface: interface, split: split)
    }

    static func decodeFeatureViews(_ value: JSON?, path: String, reader r: FieldReader) -> [FeatureViewSelection] {
        guard let value, !value.isNull else { return [] }
        switch value {
        case .array(let items):
            // [user_demographics, {name: user_purchase_summary, features: [...]}]
            var out: [FeatureViewSelection] = []
            for (i, item) in items.enumerated() {
                let itemPath = "\(path)[\(i)]"
                if let name = item.stringValue {
                    out.append(FeatureViewSelection(name: name, features: nil))
                } else if let object = r.object(item, path: itemPath, required: true) {
                    r.checkKeys(object, path: itemPath, known: ["name", "features", "join_key"])
                    if let name = r.string(object, "name", path: itemPath, required: true) {
                        out.append(FeatureViewSelection(name: name, features: r.stringList(object, "features", path: itemPath),
                                                        joinKey: r.string(object, "join_key", path: itemPath)))
                    }
                }
            }
            return out
        case .object(let object):
            // {user_demographics: [age, gender], user_purchase_summary: {features: [...]}, product_details: null}
            var out: [FeatureViewSelection] = []
            for (name, spec) in object {
                let itemPath = "\(path).\(name)"
                switch spec {
                case .null: out.append(FeatureViewSelection(name: name, features: nil))
                case .array, .string:
                    out.append(FeatureViewSelection(name: name, features: r.stringList(object, name, path: path)))
                case .object(let o):
                    // The Python tool's form: {user_demographics: {join_key: user_id, features: [age, country]}}.
                    r.checkKeys(o, path: itemPath, known: ["features", "join_key"])
                    out.append(FeatureViewSelection(name: name, features: r.stringList(o, "features", path: itemPath),
                                                    joinKey: r.string(o, "join_key", path: itemPath)))
                default:
                    r.problem(itemPath, "expected a list of features, found \(spec.typeDescription)")
                }
            }
            return out
        default:
            r.problem(path, "expected a list of feature view names, found \(value.typeDescription)")
            return []
        }
    }

    /// The columns a time-series or causal recipe needs besides the target, and the roles they
    /// may not share.
    static func decodeTaskColumns(task: MLTask, interface di: DataInterfaceSection, path p: String, reader r: FieldReader) {
        if task == .timeseries, di.timestampColumn == nil {
            r.problem("\(p).timestamp_column", "a timeseries recipe needs timestamp_column: the column that orders the observations")
        }
        if let treatment = di.treatmentColumn {
            if task != .causal {
                r.problem("\(p).treatment_column", "treatment_column is read by causal recipes only (task_choice: causal)")
            }
            if treatment == di.targetColumn { r.problem("\(p).treatment_column", "'\(treatment)' is the target column; the treatment must be another column") }
            if di.entityColumns.contains(treatment) { r.problem("\(p).treatment_column", "'\(treatment)' is also an entity column") }
            if di.featureColumns?.contains(treatment) == true {
                r.problem("\(p).feature_columns", "'\(treatment)' is the treatment column; remove it from feature_columns (the learners add it themselves)")
            }
        } else if task == .causal {
            r.problem("\(p).treatment_column", "a causal recipe needs treatment_column: the binary column saying which rows were treated")
        }
        if let ts = di.timestampColumn, task == .timeseries {
            if ts == di.targetColumn { r.problem("\(p).timestamp_column", "'\(ts)' is the target column") }
            if di.featureColumns?.contains(ts) == true {
                r.problem("\(p).feature_columns", "'\(ts)' is the timestamp column; calendar features are made from it automatically")
            }
        }
    }

    // MARK: preprocessor, evaluation

    static func decodePreprocessor(_ value: JSON?, reader r: FieldReader) -> [PreprocessorStep] {
        guard let pre = r.object(value, path: "preprocessor", required: false) else { return [] }
        r.checkKeys(pre, path: "preprocessor", known: ["steps"])
        guard let stepsValue = pre["steps"], !stepsValue.isNull else { return [] }
        guard let items = stepsValue.arrayValue else {
            r.problem("preprocessor.steps", "expected a list of steps, found \(stepsValue.typeDescription)")
            return []
        }
        var steps: [PreprocessorStep] = []
        for (i, item) in items.enumerated() {
            let p = "preprocessor.steps[\(i)]"
            guard let object = r.object(item, path: p, required: true) else { continue }
            guard let type = r.string(object, "type", path: p, required: true) else { continue }
            let columns = r.stringList(object, "columns", path: p)
            var options = object
            options["type"] = nil
            options["columns"] = nil
            steps.append(PreprocessorStep(type: type, columns: columns, options: options, path: p))
        }
        return steps
    }

    static func decodeEvaluation(_ value: JSON?, reader r: FieldReader) -> EvaluationSection {
        var section = EvaluationSection(metrics: [], randomState: 42)
        guard let e = r.object(value, path: "evaluation", required: false) else { return section }
        r.checkKeys(e, path: "evaluation", known: ["metrics", "random_state", "validation"])
        section.metrics = (r.stringList(e, "metrics", path: "evaluation") ?? []).map { $0.lowercased() }
        section.randomState = r.int(e, "random_state", path: "evaluation", default: 42) ?? 42
        if let v = r.object(e["validation"], path: "evaluation.validation", required: false) {
            // The older recipe layout put the seed here; read it, and say where split shares now go.
            if let seed = r.int(v, "random_state", path: "evaluation.validation", default: nil) { section.randomState = seed }
            for key in v.keys where key != "random_state" && key != "method" {
                r.problem("evaluation.validation.\(key)", "split shares now live under data.split (train, validation, test)")
            }
        }
        return section
    }
}
