import MMPCore

/// Everything mmp knows about one model: names, task, hyperparameters, and how to build it.
public struct ModelDescriptor: Sendable {
    /// Our name, e.g. `LogisticRegression`.
    public var name: String
    /// Familiar class paths that mean the same model (`sklearn.linear_model.LogisticRegression`).
    public var aliases: [String]
    public var task: MLTask
    public var summary: String
    public var parameters: [HyperparameterSpec]
    public var make: @Sendable (Hyperparameters) throws -> any Estimator
    /// For models that wrap another (meta-learners, quantile ensembles): the hyperparameters they
    /// accept depend on the wrapped model the given values name (`base_class_path`). nil: `parameters`.
    public var parametersFor: (@Sendable (JSONObject) -> [HyperparameterSpec])? = nil
    /// The model takes text feature columns as they are (coded by the pipeline, listed in
    /// `TrainingSet.categoricalFeatures`): no one-hot or ordinal step needed.
    public var nativeCategorical: Bool

    public init(name: String, aliases: [String], task: MLTask, summary: String, parameters: [HyperparameterSpec],
                nativeCategorical: Bool = false, make: @escaping @Sendable (Hyperparameters) throws -> any Estimator) {
        self.nativeCategorical = nativeCategorical
        self.name = name
        self.aliases = aliases
        self.task = task
        self.summary = summary
        self.parameters = parameters
        self.make = make
    }

    /// Checks and completes recipe hyperparameters: unknown names get the closest known name,
    /// wrong types and ranges say what was expected, aliases map to our names, defaults fill
    /// the rest. Returns every problem rather than stopping at the first.
    public func resolve(_ given: JSONObject) -> (Hyperparameters, [ParameterProblem]) {
        let parameters = parametersFor?(given) ?? self.parameters
        var values: [String: JSON] = [:]
        var problems: [ParameterProblem] = []
        var seen: [String: String] = [:]  // canonical → the name it was given as
        for (key, value) in given {
            // A name other libraries use for something mmp ignores, unless this model gives it a meaning.
            if CommonParameters.ignored.contains(key), !parameters.contains(where: { $0.name == key || $0.aliases.contains(key) }) { continue }
            if CommonParameters.seedNames.contains(key) {
                guard let seed = value.intValue else {
                    problems.append(ParameterProblem(name: key, message: "expected a whole number, found \(value.typeDescription)"))
                    continue
                }
                values["random_state"] = .int(seed)
                continue
            }
            guard let spec = parameters.first(where: { $0.name == key || $0.aliases.contains(key) }) else {
                let known = parameters.flatMap { [$0.name] + $0.aliases }
                let hint = Suggestion.closest(to: key, in: known).map { "did you mean '\($0)'?" }
                    ?? "\(name) accepts: \(parameters.map(\.name).joined(separator: ", "))"
                problems.append(ParameterProblem(name: key, message: "not a hyperparameter of \(name); \(hint)"))
                continue
            }
            if let earlier = seen[spec.name] {
                problems.append(ParameterProblem(name: key, message: "'\(key)' and '\(earlier)' name the same hyperparameter; give it once"))
                continue
            }
            seen[spec.name] = key
            switch spec.accept(value) {
            case .success(let v): values[spec.name] = v
            case .failure(var p): p.name = key; problems.append(p)
            }
        }
        for spec in parameters where values[spec.name] == nil { values[spec.name] = spec.defaultValue }
        return (Hyperparameters(values), problems)
    }

    public func spec(named name: String, given: JSONObject = JSONObject()) -> HyperparameterSpec? {
        (parametersFor?(given) ?? parameters).first { $0.name == name || $0.aliases.contains(name) }
    }

    /// Every hyperparameter this model accepts with these values (the wrapped model's too).
    public func parameters(given: JSONObject) -> [HyperparameterSpec] { parametersFor?(given) ?? parameters }
}

/// A group of related models, each family in its own file. The catalog lists families, so
/// adding a model touches its family only.
public protocol ModelFamily: SendableMetatype {
    static var descriptors: [ModelDescriptor] { get }
    /// Every fitted-model type the family's estimators produce, for loading bundles.
    static var trainedTypes: [any TrainedModel.Type] { get }
}

public enum ModelCatalog {
    public static let families: [any ModelFamily.Type] = [
        LinearModels.self, NaiveBayesModels.self, NeighborModels.self, TreeModels.self,
        ForestModels.self, BoostingModels.self, ClusteringModels.self, CalibrationModels.self,
        SVMModels.self, MixtureModels.self, BirchModels.self, NeuralModels.self, CatBoostModels.self,
        TimeSeriesModels.self, CausalModels.self, QuantileModels.self,
    ]

    public static let all: [ModelDescriptor] = families.flatMap { $0.descriptors }

    /// The model a recipe's `class_path` names: our name, a familiar alias, or a class path's
    /// last component, case-insensitively.
    public static func lookup(_ classPath: String) -> ModelDescriptor? {
        let key = classPath.trimmed().lowercased()
        if let d = all.first(where: { $0.name.lowercased() == key || $0.aliases.contains { $0.lowercased() == key } }) { return d }
        let last = key.split(separator: ".").last.map(String.init) ?? key
        return all.first { $0.name.lowercased() == last }
    }

    /// Whether a recipe of `task` can use the model: its own task's models, and for time series
    /// every regression model too (trained on the lag and calendar features).
    public static func serves(_ model: ModelDescriptor, task: MLTask) -> Bool {
        model.task == task || (task == .timeseries && model.task == .regression)
    }

    /// The model a recipe of `task` means by `class_path`: the task's own models first (so that
    /// `sklearn.linear_model.LinearRegression` in a timeseries recipe is `LinearTrend`, as in the
    /// Python tool's catalog), then the models the task can use, then any model.
    public static func lookup(_ classPath: String, task: MLTask) -> ModelDescriptor? {
        let key = classPath.trimmed().lowercased()
        let last = key.split(separator: ".").last.map(String.init) ?? key
        for pool in [all.filter { $0.task == task }, all.filter { serves($0, task: task) }] {
            if let d = pool.first(where: { $0.name.lowercased() == key || $0.aliases.contains { $0.lowercased() == key } }) { return d }
            if let d = pool.first(where: { $0.name.lowercased() == last }) { return d }
        }
        return lookup(classPath)
    }

    /// Like `lookup`, or an error suggesting the closest name and listing those for the task.
    public static func require(_ classPath: String, task: MLTask? = nil) throws -> ModelDescriptor {
        if let task, let d = lookup(classPath, task: task) { return d }
        if task == nil, let d = lookup(classPath) { return d }
        if let refusal = DeepModels.refusal(for: classPath) { throw MMPError(.invalidRecipe, refusal) }
        let candidates = all.filter { task == nil || serves($0, task: task!) }
        let names = candidates.map(\.name) + candidates.flatMap(\.aliases)
        let hint = Suggestion.closest(to: classPath, in: names).map { "; did you mean '\($0)'?" } ?? ""
        throw MMPError(.invalidRecipe, "unknown model '\(classPath)'\(hint) (models\(task.map { " for \($0.rawValue)" } ?? ""): \(candidates.map(\.name).joined(separator: ", ")); `mmp list models` shows every alias)")
    }
}

/// Loads fitted models from bundles by type name.
public enum ModelCodec {
    public static let types: [String: any TrainedModel.Type] = {
        var map: [String: any TrainedModel.Type] = [:]
        for family in ModelCatalog.families { for t in family.trainedTypes { map[t.typeName] = t } }
        return map
    }()

    public static func encode(_ model: any TrainedModel, to writer: inout ByteWriter) {
        writer.write(type(of: model).typeName)
        model.encode(to: &writer)
    }

    public static func decode(from reader: inout ByteReader) throws -> any TrainedModel {
        let name = try reader.readString()
        guard let type = types[name] else {
            throw MMPError.corrupt("the bundle holds a model of type '\(name)', which this mmp version does not know")
        }
        return try type.init(from: &reader)
    }
}
