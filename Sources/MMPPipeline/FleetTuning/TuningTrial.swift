import MMPAdapters
import MMPConfig
import MMPCore
import MMPLearn

/// One trial of tuning across the fleet (`tune_trial`, a child job): the recipe's data loaded,
/// split and preprocessed as `mmp train` does, the model trained on the train split with the
/// fixed values and the trial's parameters, and scored on the validation split with the
/// recipe's optimization metric. The trial's result: `number`, `parameters`, `score`.
public enum TuningTrial {
    public static func run(_ recipe: Recipe, sqlText: String?, recipeDirectory: String?, number: Int, parameters: JSONObject,
                           config: AppConfig, registry: AdapterRegistry = .standard, events: TrainingEvents) throws -> JSON {
        let hp = recipe.model.hyperparameters
        events.stageStarted(.load)
        let loader = try registry.loader(for: config)
        let table = try loader.load(LoadRequest(sourceURI: recipe.data.loader.sourceURI, sqlText: sqlText, parameters: recipe.data.loader.parameters,
                                                recipeDirectory: recipeDirectory, columns: LoadColumns.needed(by: recipe)))
        guard table.rowCount > 0 else { throw MMPError.invalidData("\(recipe.data.loader.sourceURI) returned no rows") }
        guard recipe.data.fetcher.kind != .featureStore else {
            throw MMPError.invalidInput("tuning across the fleet does not join feature-store features yet; tune this recipe with mmp submit (no --parallel-trials)")
        }
        let roles = try ColumnRoles(recipe: recipe, table: table)
        let prepared = try PreparedSplits(recipe: recipe, table: table, roles: roles)
        events.stageStarted(.preprocess)
        let processed = try ProcessedSplits(recipe: recipe, splits: prepared, roles: roles)
        guard let validation = processed.validation else { throw MMPError.invalidData("tuning needs validation rows, and the validation split is empty") }
        var trialRecipe = recipe
        trialRecipe.model.hyperparameters.tuningEnabled = false
        var values = hp.fixed
        for (k, v) in parameters { values[k] = v }
        trialRecipe.model.hyperparameters.values = values
        events.stageStarted(.fit)
        let fitted = try ModelFitter(recipe: trialRecipe, data: processed, events: events).fit()
        let metric = try FleetTuningPlan.metric(recipe, classCount: processed.train.classCount)
        let input = MetricInputs.make(model: fitted.model, features: validation.features, truth: validation.target,
                                      classCount: processed.train.classCount)
        guard let score = metric.compute(input), score.isFinite else {
            throw MMPError.invalidData("\(metric.name) cannot be computed on the validation split")
        }
        return ["kind": "tune_trial", "number": .int(number), "parameters": .object(parameters), "score": .double(score),
                "metrics": .object(JSONObject([(metric.name, .double(score))]))]
    }
}

/// What the parent and its trials agree on: the search space, the metric, the tuner.
enum FleetTuningPlan {
    static func metric(_ recipe: Recipe, classCount: Int) throws -> MetricDescriptor {
        let name = recipe.model.hyperparameters.optimizationMetric ?? MetricCatalog.primary(for: recipe.task, classCount: classCount)
        guard let metric = MetricCatalog.lookup(name, task: recipe.task) else { throw MMPError(.invalidRecipe, "unknown optimization_metric '\(name)'") }
        return metric
    }

    /// The tuner of a recipe; `direction` from the recipe, or the metric's when the recipe names none.
    static func tuner(_ recipe: Recipe) throws -> HyperparameterTuner {
        let hp = recipe.model.hyperparameters
        let metricName = hp.optimizationMetric ?? MetricCatalog.primary(for: recipe.task, classCount: 2)
        guard let metric = MetricCatalog.lookup(metricName, task: recipe.task) else {
            throw MMPError(.invalidRecipe, "unknown optimization_metric '\(metricName)'")
        }
        let direction = hp.direction.flatMap(MetricDirection.init(rawValue:)) ?? metric.direction
        let space = hp.tunable.map { t -> SearchDimension in
            switch t.kind {
            case .int: return SearchDimension(name: t.name, kind: .int(low: Int(t.low), high: Int(t.high), log: t.log))
            case .float: return SearchDimension(name: t.name, kind: .float(low: t.low, high: t.high, log: t.log))
            case .categorical: return SearchDimension(name: t.name, kind: .categorical(t.choices))
            }
        }
        let seed = hp.fixed["random_state"]?.intValue ?? recipe.evaluation.randomState
        return HyperparameterTuner(space: space, trials: hp.nTrials, timeout: hp.timeout, direction: direction, metric: metric.name, seed: seed)
    }
}
