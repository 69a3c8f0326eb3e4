import MMPConfig
import MMPCore
import MMPLearn

/// The fitted model with what produced it.
struct FittedModel {
    var descriptor: ModelDescriptor
    var hyperparameters: Hyperparameters
    var model: any TrainedModel
    var tuning: JSON?
    var summary: String
}

/// Fits the recipe's model, tuning it on the validation split first when the recipe asks.
struct ModelFitter {
    let recipe: Recipe
    let data: ProcessedSplits
    let events: TrainingEvents
    /// Classification: the class labels by index (per-class metrics name classes by label).
    var labels: [String]? = nil

    func fit() throws -> FittedModel {
        let descriptor = try ModelCatalog.require(recipe.model.classPath, task: recipe.task)
        let hp = recipe.model.hyperparameters
        var fitted: FittedModel
        if hp.tuningEnabled {
            fitted = try tune(descriptor, hp)
        } else {
            let params = try resolve(descriptor, hp.values, field: "model.hyperparameters.values")
            let model = try train(descriptor, params, on: data.train, progress: { events.progress(TrainingStage.fit.overall($0), .fit) })
            fitted = FittedModel(descriptor: descriptor, hyperparameters: params, model: model, tuning: nil,
                                 summary: "\(descriptor.name) on \(data.train.features.rows) rows × \(data.train.features.columns) features")
        }
        return try calibrate(fitted)
    }

    /// Recalibrates the probabilities on the calibration split when the recipe asks.
    private func calibrate(_ fitted: FittedModel) throws -> FittedModel {
        guard let name = recipe.model.calibrationMethod, let method = CalibrationMethod(rawValue: name) else { return fitted }
        guard let set = data.calibration else {
            throw MMPError.invalidData("model.calibration is enabled but the calibration split is empty; raise data.split.calibration")
        }
        var out = fitted
        out.model = try CalibratedClassifier.fit(fitted.model, method: method, features: set.features, target: set.target,
                                                 classCount: data.train.classCount)
        out.summary += ", probabilities calibrated (\(name)) on \(set.features.rows) rows"
        return out
    }

    private func resolve(_ descriptor: ModelDescriptor, _ values: JSONObject, field: String) throws -> Hyperparameters {
        let (params, problems) = descriptor.resolve(values)
        if !problems.isEmpty {
            throw MMPError.invalidRecipe(file: recipe.file, problems: problems.map {
                RecipeProblem(location: recipe.file, field: "\(field).\($0.name)", message: $0.message)
            })
        }
        return params
    }

    private func seed(_ params: Hyperparameters) -> UInt64 {
        UInt64(bitPattern: Int64(params.optionalInt("random_state") ?? recipe.evaluation.randomState))
    }

    private func train(_ descriptor: ModelDescriptor, _ params: Hyperparameters, on set: TrainingSet,
                       progress: @escaping @Sendable (Double) -> Void) throws -> any TrainedModel {
        let context = FitContext(seed: seed(params), progress: progress, isCancelled: events.isCancelled)
        try context.checkCancelled()
        return try descriptor.make(params).fit(set, context: context)
    }

    private func tune(_ descriptor: ModelDescriptor, _ hp: HyperparameterSection) throws -> FittedModel {
        guard let validation = data.validation else {
            throw MMPError.invalidData("tuning needs validation rows, and the validation split is empty")
        }
        var metricName = hp.optimizationMetric ?? MetricCatalog.primary(for: recipe.task, classCount: data.train.classCount)
        var note: String?
        if recipe.task == .causal, CausalTuning.effectSummaries.contains(metricName.lowercased()) {
            // The Python tool's default (`ate`) describes the effect; it does not rank models.
            note = "optimization_metric '\(metricName)' summarises the estimated effect and cannot rank models; trials were scored by outcome_rmse (the outcome models' fit on the validation rows) instead"
            metricName = "outcome_rmse"
        }
        guard let metric = MetricCatalog.lookup(metricName, task: recipe.task) else {
            throw MMPError(.invalidRecipe, "unknown optimization_metric '\(metricName)'")
        }
        let direction = hp.direction.flatMap(MetricDirection.init(rawValue:)) ?? metric.direction
        let space = ModelFitter.searchSpace(hp)
        let seedValue = recipe.model.hyperparameters.fixed["random_state"]?.intValue ?? recipe.evaluation.randomState
        let tuner = HyperparameterTuner(space: space, trials: hp.nTrials, timeout: hp.timeout, direction: direction,
                                        metric: metric.name, seed: seedValue)
        let trialShare = 0.85
        let counter = TrialCounter()
        let result = try tuner.run { parameters in
            var values = hp.fixed
            for (k, v) in parameters { values[k] = v }
            let params = try resolve(descriptor, values, field: "model.hyperparameters")
            let n = counter.next()
            let total = Double(hp.nTrials)
            let model = try train(descriptor, params, on: data.train) { f in
                events.progress(TrainingStage.fit.overall(trialShare * (Double(n) + f) / total), .fit)
            }
            let input = MetricInputs.make(model: model, set: validation, classCount: data.train.classCount, labels: labels)
            guard let score = metric.compute(input) else { throw MMPError.invalidData("\(metric.name) cannot be computed on the validation split") }
            return score
        }
        guard let best = result.best else {
            let firstError = result.trials.compactMap(\.error).first ?? "no trial produced a score"
            throw MMPError.invalidData("every tuning trial failed; the first error: \(firstError)")
        }
        var values = hp.fixed
        for (k, v) in best.parameters { values[k] = v }
        let params = try resolve(descriptor, values, field: "model.hyperparameters")
        // Refit on train + validation unless early stopping needs validation to stop on.
        var finalSet = data.train
        let earlyStopping = (params["early_stopping_rounds"]?.intValue ?? 0) > 0
        var refit = false
        if hp.refitOnTrainAndValidation, !earlyStopping {
            finalSet = TrainingSet(features: Matrix(rows: data.train.features.rows + validation.features.rows, columns: data.train.features.columns,
                                                    values: data.train.features.values + validation.features.values),
                                   target: data.train.target + validation.target, classCount: data.train.classCount,
                                   featureNames: data.train.featureNames, validation: nil,
                                   treatment: data.train.treatment.flatMap { t in validation.treatment.map { t + $0 } })
            refit = true
        }
        let model = try train(descriptor, params, on: finalSet) { f in
            events.progress(TrainingStage.fit.overall(trialShare + (1 - trialShare) * f), .fit)
        }
        var tuning = ModelFitter.tuningRecord(result, best: best, metric: metric.name, direction: direction, refit: refit)
        if let note { tuning["metric_requested"] = .string(hp.optimizationMetric ?? ""); tuning["note"] = .string(note) }
        return FittedModel(descriptor: descriptor, hyperparameters: params, model: model, tuning: .object(tuning),
                           summary: "\(descriptor.name): \(result.trials.count) trials, best \(metric.name) \(formatMetric(.double(best.score!))) (trial \(best.number)), refit on \(refit ? "train+validation" : "train")")
    }
}

extension ModelFitter {
    /// The recipe's search space as the tuner's dimensions.
    static func searchSpace(_ hp: HyperparameterSection) -> [SearchDimension] {
        hp.tunable.map { t -> SearchDimension in
            switch t.kind {
            case .int: return SearchDimension(name: t.name, kind: .int(low: Int(t.low), high: Int(t.high), log: t.log))
            case .float: return SearchDimension(name: t.name, kind: .float(low: t.low, high: t.high, log: t.log))
            case .categorical: return SearchDimension(name: t.name, kind: .categorical(t.choices))
            }
        }
    }

    /// What a bundle and a job record keep of a tuning run.
    static func tuningRecord(_ result: TuningResult, best: Trial, metric: String, direction: MetricDirection, refit: Bool) -> JSONObject {
        var tuning = JSONObject()
        tuning["metric"] = .string(metric)
        tuning["direction"] = .string(direction.rawValue)
        tuning["best_score"] = .double(best.score!)
        tuning["best_parameters"] = .object(best.parameters)
        tuning["best_trial"] = .int(best.number)
        tuning["trials_run"] = .int(result.trials.count)
        tuning["refit_on"] = .string(refit ? "train+validation" : "train")
        tuning["trials"] = .array(result.trials.map { t in
            var o = JSONObject()
            o["number"] = .int(t.number)
            o["parameters"] = .object(t.parameters)
            o["score"] = t.score.map(JSON.double) ?? .null
            o["seconds"] = .double((t.seconds * 1000).rounded() / 1000)
            if let e = t.error { o["error"] = .string(e) }
            return .object(o)
        })
        return tuning
    }
}

/// Counts trials from inside the objective closure.
final class TrialCounter: @unchecked Sendable {
    // Only touched from the tuning loop, which runs trials one at a time.
    private var n = 0
    func next() -> Int { defer { n += 1 }; return n }
}

/// Builds metric inputs from a model's predictions.
enum MetricInputs {
    static func make(model: any TrainedModel, features: Matrix, truth: [Double], classCount: Int,
                     treatment: [Double]? = nil, labels: [String]? = nil) -> MetricInput {
        var figures: [String: Double] = [:]
        for (key, value) in model.summary { if let d = value.doubleValue { figures[key] = d } }
        var input = MetricInput(truth: truth, predicted: model.predict(features), probabilities: model.predictProbabilities(features),
                                classCount: classCount, features: features, modelFigures: figures)
        input.classLabels = labels
        input.uncalibratedProbabilities = (model as? CalibratedClassifier)?.base.predictProbabilities(features)
        if let causal = model as? any CausalModel {
            let (control, treated) = causal.predictOutcomes(features)
            input.treatment = treatment
            input.controlOutcome = control
            input.treatedOutcome = treated
        }
        if let quantile = model as? any QuantileModel { input.quantiles = quantile.predictQuantiles(features) }
        return input
    }

    static func make(model: any TrainedModel, set: EvaluationSet, classCount: Int, labels: [String]? = nil) -> MetricInput {
        make(model: model, features: set.features, truth: set.target, classCount: classCount, treatment: set.treatment, labels: labels)
    }
}

/// Causal tuning: metrics that describe the effect rather than score a model.
enum CausalTuning {
    static let effectSummaries: Set<String> = ["ate", "ate_std", "ate_se", "ate_ci_lower", "ate_ci_upper", "treatment_effect_significance"]
}
