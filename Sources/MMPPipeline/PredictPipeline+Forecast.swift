import MMPArtifacts
import MMPConfig
import MMPCore
import MMPLearn

extension PredictPipeline {
    /// Forecasts with a timeseries bundle. Input rows with a target value are history (observed
    /// values the forecast starts from, after the ones the bundle already holds); rows without one
    /// (or without the target column) are the times to forecast, with the model's feature columns
    /// if it uses any. `horizon` adds that many steps after each series' last known time. Series
    /// are told apart by the entity columns; with an empty input and a horizon, every series the
    /// bundle knows is forecast.
    ///
    /// The output holds the entity columns, the timestamp column, `step` (1 for the first
    /// forecast step of a series) and `prediction`.
    public static func forecast(_ bundle: ModelBundle, input: Table, horizon: Int? = nil) throws -> Table {
        guard let forecaster = bundle.model as? TimeSeriesForecaster else {
            throw MMPError.invalidInput("model '\(bundle.recipeName)' is not a time-series model; --horizon applies to timeseries bundles only")
        }
        let recipe = try RecipeDecoder.decode(bundle.recipeSnapshot, file: "the recipe of model '\(bundle.recipeName)'")
        guard let timestamp = recipe.data.dataInterface.timestampColumn, let target = bundle.targetColumn else {
            throw MMPError.corrupt("timeseries bundle '\(bundle.recipeName)' names no timestamp or target column")
        }
        if let h = horizon, h < 1 { throw MMPError.invalidInput("--horizon must be at least 1") }
        let usesFeatures = forecaster.usesFeatureColumns && !forecaster.exogenous.isEmpty
        if horizon != nil, usesFeatures {
            throw MMPError.invalidInput("model '\(bundle.recipeName)' learns from the columns \(bundle.inputSchema.map(\.name).joined(separator: ", ")), whose future values mmp cannot know; give the rows to forecast (with those columns and an empty '\(target)') instead of --horizon")
        }

        // Series of the input (rows with and without a target alike).
        var series: [TimeSeriesData.Series] = []
        if input.rowCount > 0 {
            let missing = ([timestamp] + bundle.entityColumns).filter { input.column($0) == nil }
            if !missing.isEmpty {
                throw MMPError(.missingColumn, "the input lacks \(missing.joined(separator: ", ")) (input columns: \(input.columnNames.joined(separator: ", "))); a forecast needs the timestamp\(bundle.entityColumns.isEmpty ? "" : " and entity") columns")
            }
            let data = try TimeSeriesData(table: input, timestampColumn: timestamp, target: target, entities: bundle.entityColumns, requireTarget: false)
            series = data.series
        }
        var exogenous: Matrix?
        if usesFeatures, input.rowCount > 0 {
            let missing = bundle.inputSchema.map(\.name).filter { input.column($0) == nil }
            if !missing.isEmpty {
                throw MMPError(.missingColumn, "the input lacks \(missing.joined(separator: ", ")) that model '\(bundle.recipeName)' was trained on")
            }
            // As at training: series by series in time order, timestamp and entities alongside.
            var columns = try bundle.inputSchema.map { try align(input.column($0.name)!, to: $0.kind) }
            columns.append(try align(input.column(timestamp)!, to: .timestamp))
            columns += bundle.entityColumns.compactMap { input.column($0) }
            let ordered = series.flatMap(\.rows)
            let orderedSet = Set(ordered)
            let order = ordered + (0..<input.rowCount).filter { !orderedSet.contains($0) }
            let own = try bundle.preprocessor.transform(try Table(columns: columns).selecting(rows: order), mode: .inference)
            var position = [Int](repeating: 0, count: input.rowCount)
            for (i, row) in order.enumerated() { position[row] = i }
            exogenous = try FeatureMatrix.build(own.selecting(rows: (0..<input.rowCount).map { position[$0] }), columns: forecaster.exogenous)
        }

        var inputs: [SeriesForecastInput] = []
        var keys = series.map(\.key)
        if input.rowCount == 0 || (horizon != nil && series.isEmpty) { keys = forecaster.keys }
        for key in keys {
            let s = series.first { $0.key == key }
            let known = s.map { s in s.values.indices.filter { !s.values[$0].isNaN } } ?? []
            let unknown = s.map { s in s.values.indices.filter { s.values[$0].isNaN } } ?? []
            var futureTimes = unknown.map { s!.times[$0] }
            var rows: [[Double]] = unknown.map { position in exogenous.map { Array($0.row(s!.rows[position])) } ?? [] }
            if let h = horizon {
                var last = known.last.map { s!.times[$0] } ?? -.infinity
                if let i = forecaster.index(of: key) { last = max(last, forecaster.lastTimes[i]) }
                if let t = futureTimes.last { last = max(last, t) }
                guard last.isFinite else {
                    throw MMPError.invalidInput("series '\(key.replacing("\u{1F}", with: ", "))' has no observation to forecast from")
                }
                for k in 1...h { futureTimes.append(forecaster.step.advance(last, by: k)); rows.append([]) }
            }
            guard !futureTimes.isEmpty else { continue }
            inputs.append(SeriesForecastInput(key: key, historyTimes: known.map { s!.times[$0] }, history: known.map { s!.values[$0] },
                                              futureTimes: futureTimes, exogenous: rows))
        }
        guard !inputs.isEmpty else {
            throw MMPError.invalidInput("nothing to forecast: give --horizon N, or rows whose '\(target)' is empty at the times to forecast")
        }
        let forecasts = try forecaster.forecast(inputs)

        var entityValues = [[String?]](repeating: [], count: bundle.entityColumns.count)
        var times: [Double] = [], steps: [Double] = [], predictions: [Double] = []
        for (input, values) in zip(inputs, forecasts) {
            let parts = input.key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            for (k, time) in input.futureTimes.enumerated() {
                for e in 0..<entityValues.count { entityValues[e].append(e < parts.count ? parts[e] : nil) }
                times.append(time)
                steps.append(Double(k + 1))
                predictions.append(values[k])
            }
        }
        var columns: [Column] = bundle.entityColumns.enumerated().map { .categorical($1, entityValues[$0]) }
        columns.append(.timestamp(timestamp, times))
        columns.append(.numeric("step", steps))
        columns.append(.numeric("prediction", predictions))
        return try Table(columns: columns)
    }
}
