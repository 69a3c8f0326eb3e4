import MMPAdapters
import MMPArtifacts
import MMPConfig
import MMPCore
import MMPLearn

/// Training of a `timeseries` recipe after loading: a chronological split (the oldest rows
/// train, the newest test, one cut in time for every series), preprocessing of the recipe's own
/// feature columns fitted on the training rows, the model (a regressor on lag/calendar features,
/// or one Holt-Winters/ARIMA fit per series), and evaluation as forecasts: each held-out period
/// is forecast from the history before it, recursively for regressors, with the parameters
/// fitted on the training rows.
struct TimeSeriesTraining {
    let recipe: Recipe
    let input: TrainingInput
    let events: TrainingEvents
    /// Stores the bundle (through MLflow when the run is tracked).
    let store: (_ bytes: [UInt8], _ bundle: ModelBundle) throws -> StoredArtifact

    /// A model's parameters fitted on some rows, as a forecaster positioned after them.
    struct Fitted {
        var forecaster: TimeSeriesForecaster
        var hyperparameters: Hyperparameters
    }

    func run(table: Table, fingerprint: String, stages run: StageRunner) throws -> TrainResult {
        let di = recipe.data.dataInterface
        guard let target = di.targetColumn, let timestamp = di.timestampColumn else {
            throw MMPError(.invalidRecipe, "a timeseries recipe needs data_interface.target_column and timestamp_column")
        }
        let roles = try ColumnRoles(recipe: recipe, table: table)

        // Split: one cut in time for all series.
        let (data, split) = try run.stage(.split) { () throws -> ((TimeSeriesData, SplitIndices), String) in
            let data = try TimeSeriesData(table: table, timestampColumn: timestamp, target: target, entities: roles.entities)
            guard !data.series.isEmpty else { throw MMPError.invalidData("no row has both a timestamp and a target value") }
            let rows = data.series.flatMap(\.rows)
            let times = data.series.flatMap(\.times)
            let s = recipe.data.split
            let positions = try Splitter.temporal(keys: times, fractions: SplitFractions(train: s.train, validation: s.validation, test: s.test),
                                                  column: timestamp)
            var split = SplitIndices()
            split.train = positions.train.map { rows[$0] }
            split.validation = positions.validation.map { rows[$0] }
            split.test = positions.test.map { rows[$0] }
            let t = data.table.column(timestamp)!.doubles!
            func period(_ r: [Int]) -> String {
                guard let lo = r.map({ t[$0] }).min(), let hi = r.map({ t[$0] }).max() else { return "0" }
                return "\(r.count) (\(Timestamp.iso8601(lo).prefix(10))…\(Timestamp.iso8601(hi).prefix(10)))"
            }
            return ((data, split), "chronological: train \(period(split.train)), validation \(period(split.validation)), test \(period(split.test)); \(data.series.count) series"
                + (data.droppedRows > 0 ? " (\(data.droppedRows) rows without a timestamp or target dropped)" : ""))
        }
        guard !split.train.isEmpty else { throw MMPError.invalidData("the training period is empty; \(table.rowCount) rows are too few for this split") }

        // Preprocess the recipe's own feature columns, fitted on the training rows.
        let (preprocessor, exogenousNames, exogenous) = try run.stage(.preprocess) { () throws -> ((FittedPreprocessor, [String], Matrix?), String) in
            guard !roles.features.isEmpty else { return ((FittedPreprocessor(steps: []), [], nil), "no feature columns besides the target's own past") }
            // Steps see the rows series by series in time order, with the timestamp and entity
            // columns beside the features (never features themselves), so that a step filling a
            // gap from its neighbours (forward_fill, interpolation) fills it within its series.
            let ordered = data.series.flatMap(\.rows)
            let kept = [timestamp] + roles.entities
            let own = try data.table.selecting(columns: roles.features + kept).selecting(rows: ordered)
            let trainRows = Set(split.train)
            let (preprocessor, _, names) = try ProcessedSplits.fitSteps(recipe, train: own.selecting(rows: ordered.indices.filter { trainRows.contains(ordered[$0]) }),
                                                                        features: roles.features, target: nil, kept: Set(kept),
                                                                        entities: roles.entities, timestamp: timestamp)
            let transformed = try preprocessor.transform(own, mode: .inference)
            guard transformed.rowCount == own.rowCount else { throw MMPError.invalidRecipe(file: recipe.file, problems: [RecipeProblem(location: recipe.file, field: "preprocessor.steps", message: "a step dropped rows; a time series keeps every row in place (fill missing values instead of dropping them)")]) }
            // Back to the table's row order.
            var position = [Int](repeating: 0, count: data.table.rowCount)
            for (i, row) in ordered.enumerated() { position[row] = i }
            let all = transformed.selecting(rows: (0..<data.table.rowCount).map { position[$0] })
            return ((preprocessor, names, try FeatureMatrix.build(all, columns: names)), "\(recipe.preprocessor.count) steps, \(roles.features.count) feature columns → \(names.count)")
        }

        let descriptor = try ModelCatalog.require(recipe.model.classPath, task: .timeseries)
        let step = try TimeStep.infer(data.series.map(\.times))
        let lag = LagFeatures(target: target)
        let builder = ForecastBuilder(data: data, lag: lag, step: step, exogenous: exogenous, exogenousNames: exogenousNames)
        let trainRows = Set(split.train), validationRows = Set(split.validation), testRows = Set(split.test)
        let metricNames = recipe.evaluation.metrics.isEmpty ? MetricCatalog.defaults(for: .timeseries) : recipe.evaluation.metrics

        // Fit, tuning on the validation period first when asked.
        var tuning: JSON?
        let fitted = try run.stage(.fit) { () throws -> (Fitted, String) in
            let hp = recipe.model.hyperparameters
            let context = FitContext(seed: UInt64(bitPattern: Int64(hp.baseValues["random_state"]?.intValue ?? recipe.evaluation.randomState)),
                                     isCancelled: events.isCancelled)
            guard hp.tuningEnabled else {
                let params = try resolve(descriptor, hp.values, field: "model.hyperparameters.values")
                let f = try builder.fit(descriptor, params, rows: trainRows, validation: validationRows, context: context)
                return (Fitted(forecaster: f, hyperparameters: params), "\(descriptor.name) on \(trainRows.count) training rows, \(data.series.count) series, step \(step.description)")
            }
            guard !validationRows.isEmpty else { throw MMPError.invalidData("tuning needs a validation period, and it is empty") }
            let metricName = hp.optimizationMetric ?? MetricCatalog.primary(for: .timeseries, classCount: 0)
            guard let metric = MetricCatalog.lookup(metricName, task: .timeseries) else { throw MMPError(.invalidRecipe, "unknown optimization_metric '\(metricName)'") }
            let direction = hp.direction.flatMap(MetricDirection.init(rawValue:)) ?? metric.direction
            let tuner = HyperparameterTuner(space: ModelFitter.searchSpace(hp), trials: hp.nTrials, timeout: hp.timeout, direction: direction,
                                            metric: metric.name, seed: hp.fixed["random_state"]?.intValue ?? recipe.evaluation.randomState)
            let counter = TrialCounter()
            let result = try tuner.run { parameters in
                var values = hp.fixed
                for (k, v) in parameters { values[k] = v }
                let params = try resolve(descriptor, values, field: "model.hyperparameters")
                let f = try builder.fit(descriptor, params, rows: trainRows, validation: validationRows, context: context)
                events.progress(TrainingStage.fit.overall(0.85 * Double(counter.next() + 1) / Double(hp.nTrials)), .fit)
                let input = try builder.forecastInput(f, history: trainRows, period: validationRows)
                guard let score = metric.compute(input) else { throw MMPError.invalidData("\(metric.name) cannot be computed on the validation period") }
                return score
            }
            guard let best = result.best else {
                throw MMPError.invalidData("every tuning trial failed; the first error: \(result.trials.compactMap(\.error).first ?? "no trial produced a score")")
            }
            var values = hp.fixed
            for (k, v) in best.parameters { values[k] = v }
            let params = try resolve(descriptor, values, field: "model.hyperparameters")
            let refit = hp.refitOnTrainAndValidation && (params["early_stopping_rounds"]?.intValue ?? 0) == 0
            let f = try builder.fit(descriptor, params, rows: refit ? trainRows.union(validationRows) : trainRows,
                                    validation: refit ? [] : validationRows, context: context)
            tuning = .object(ModelFitter.tuningRecord(result, best: best, metric: metric.name, direction: direction, refit: refit))
            return (Fitted(forecaster: f, hyperparameters: params), "\(descriptor.name): \(result.trials.count) trials, best \(metric.name) \(formatMetric(.double(best.score!))), refit on \(refit ? "train+validation" : "train")")
        }

        // Evaluate: forecasts of each held-out period from the history before it.
        var validationMetrics = JSONObject()
        let metrics = try run.stage(.evaluate) { () throws -> (JSONObject, String) in
            func score(_ input: MetricInput) -> JSONObject {
                var out = JSONObject()
                for name in metricNames {
                    if let m = MetricCatalog.lookup(name, task: .timeseries), let v = m.compute(input), v.isFinite { out[m.name] = .double(v) }
                }
                return out
            }
            let fittedOnValidation = tuning?["refit_on"]?.stringValue == "train+validation"
            if !validationRows.isEmpty, !testRows.isEmpty, !fittedOnValidation {
                validationMetrics = score(try builder.forecastInput(fitted.forecaster, history: trainRows, period: validationRows))
            }
            let held = testRows.isEmpty ? validationRows : testRows
            var m = JSONObject()
            if !held.isEmpty {
                let history = testRows.isEmpty ? trainRows : trainRows.union(validationRows)
                m = score(try builder.forecastInput(fitted.forecaster, history: history, period: held))
            }
            return (m, m.map { "\($0.key) \(formatMetric($0.value))" }.joined(separator: ", "))
        }
        var allMetrics = metrics
        if let t = tuning, let name = t["metric"]?.stringValue, let best = t["best_score"] { allMetrics["tuning_best_\(name)"] = best }

        // Save: the forecaster positioned after the last observation of every series.
        let final = try builder.absorbing(fitted.forecaster, rows: Set(data.series.flatMap(\.rows)))
        let artifact = try run.stage(.save) { () throws -> (StoredArtifact, String) in
            let bundle = ModelBundle(
                recipeName: recipe.name, task: .timeseries, recipeSnapshot: recipe.snapshot, modelName: descriptor.name,
                hyperparameters: fitted.hyperparameters.json,
                inputSchema: roles.features.map { SchemaField(name: $0, kind: table.column($0)!.kind) },
                entityColumns: roles.entities, targetColumn: target,
                featureColumns: final.usesFeatureColumns ? final.columnNames : [],
                labels: nil, preprocessor: preprocessor, model: final, metrics: .object(allMetrics), tuning: tuning,
                dataFingerprint: fingerprint, jobID: input.jobID)
            let stored = try store(try BundleCodec.encode(bundle), bundle)
            return (stored, "\(stored.bytes) bytes → \(stored.uri)")
        }

        var details = JSONObject()
        var rows = JSONObject()
        rows["loaded"] = .int(table.rowCount)
        if data.droppedRows > 0 { rows["dropped_missing_timestamp_or_target"] = .int(data.droppedRows) }
        rows["train"] = .int(split.train.count)
        rows["validation"] = .int(split.validation.count)
        rows["test"] = .int(split.test.count)
        details["rows"] = .object(rows)
        details["series"] = .int(data.series.count)
        details["time_step"] = .string(step.description)
        details["evaluation"] = .string("each held-out period forecast from the history before it (recursively for regressors)")
        if !validationMetrics.isEmpty { details["validation_metrics"] = .object(validationMetrics) }
        details["hyperparameters"] = fitted.hyperparameters.json
        if !final.summary.isEmpty { details["model_summary"] = .object(final.summary) }
        if let tuning { details["tuning"] = tuning }
        if let importances = final.featureImportances, importances.count == final.columnNames.count {
            let top = zip(final.columnNames, importances).sorted { $0.1 > $1.1 }.prefix(20)
            details["feature_importances"] = .object(JSONObject(top.map { ($0.0, JSON.double($0.1)) }))
        }
        details["data_fingerprint"] = .string(fingerprint)
        return TrainResult(recipe: recipe.name, task: .timeseries, model: descriptor.name, metrics: allMetrics, details: details, artifact: artifact)
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
}
