import MMPCore
import MMPLearn
import MMPRedis

/// Fits forecasters on chosen rows of a time-series table and forecasts chosen periods.
struct ForecastBuilder {
    let data: TimeSeriesData
    let lag: LagFeatures
    let step: TimeStep
    /// The recipe's own feature columns after preprocessing, one row per table row (nil: none).
    let exogenous: Matrix?
    let exogenousNames: [String]

    private func exogenousRow(_ row: Int) -> ArraySlice<Double> { exogenous.map { $0.row(row) } ?? [] }

    /// Fits the model on `rows` (positions before them are history only); `validation` rows give
    /// a regressor's early stopping its scores.
    func fit(_ descriptor: ModelDescriptor, _ params: Hyperparameters, rows: Set<Int>, validation: Set<Int>,
             context: FitContext) throws -> TimeSeriesForecaster {
        let estimator = try descriptor.make(params)
        var keys: [String] = [], lastTimes: [Double] = [], tails: [[Double]] = []
        var chosen: [(series: TimeSeriesData.Series, positions: [Int])] = []
        for s in data.series {
            let positions = data.positions(of: s, in: rows)
            guard let last = positions.last else { continue }
            keys.append(s.key)
            lastTimes.append(s.times[last])
            tails.append(Array(s.values[0...last].suffix(lag.history)))
            chosen.append((s, positions))
        }
        guard !chosen.isEmpty else { throw MMPError.invalidData("no series has rows in the training period") }

        if let series = estimator as? any SeriesEstimator {
            let fits = try fitEach(chosen, series, threads: context.threads, context: context)
            return TimeSeriesForecaster(engine: .series(fits), features: lag, step: step, exogenous: exogenousNames, keys: keys,
                                        lastTimes: lastTimes, tails: tails)
        }
        let width = lag.count + exogenousNames.count
        func matrix(_ picks: [(TimeSeriesData.Series, [Int])]) -> (Matrix, [Double]) {
            var values: [Double] = [], target: [Double] = []
            var row = [Double](repeating: 0, count: lag.count)
            for (s, positions) in picks {
                for p in positions where p >= lag.history {
                    row.withUnsafeMutableBufferPointer { lag.write(time: s.times[p], past: s.values[0..<p], into: $0.baseAddress!) }
                    values += row
                    values += exogenousRow(s.rows[p])
                    target.append(s.values[p])
                }
            }
            return (Matrix(rows: target.count, columns: width, values: values), target)
        }
        let (x, y) = matrix(chosen.map { ($0.series, $0.positions) })
        guard x.rows > 0 else {
            throw MMPError.invalidData("no training row has \(lag.history) earlier observations in its series, which the lag features need; give the series more history or use ExponentialSmoothing or ARIMA")
        }
        var evaluation: EvaluationSet?
        if !validation.isEmpty {
            let (vx, vy) = matrix(data.series.map { ($0, data.positions(of: $0, in: validation)) })
            if vx.rows > 0 { evaluation = EvaluationSet(features: vx, target: vy) }
        }
        let model = try estimator.fit(TrainingSet(features: x, target: y, classCount: 0, featureNames: lag.names + exogenousNames,
                                                  validation: evaluation), context: context)
        return TimeSeriesForecaster(engine: .regressor(model), features: lag, step: step, exogenous: exogenousNames, keys: keys,
                                    lastTimes: lastTimes, tails: tails)
    }

    /// One fit per series, in parallel; the first failure names its series.
    private func fitEach(_ chosen: [(series: TimeSeriesData.Series, positions: [Int])], _ estimator: any SeriesEstimator,
                         threads: Int, context: FitContext) throws -> [SeriesFit] {
        let results = UnsafeMutableBufferPointer<Result<SeriesFit, MMPError>?>.allocate(capacity: chosen.count)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        let pool = WorkerPool(threads: threads)
        let done = ProgressCounter()
        pool.run(tasks: chosen.count) { i, _ in
            let (s, positions) = chosen[i]
            if context.isCancelled() { results[i] = .failure(MMPError(.cancelled, "training was cancelled")); return }
            do {
                results[i] = .success(try estimator.fitSeries(positions.map { s.values[$0] }))
            } catch {
                let name = s.key.isEmpty ? "the series" : "series '\(s.key.replacing("\u{1F}", with: ", "))'"
                results[i] = .failure(MMPError(MMPError.wrap(error).kind, "\(estimator.modelName) on \(name): \(MMPError.wrap(error).message)"))
            }
            context.progress(Double(done.next() + 1) / Double(chosen.count))
        }
        return try results.map { try $0!.get() }
    }

    /// Forecasts of the `period` rows from the `history` rows before them, as metric input.
    func forecastInput(_ forecaster: TimeSeriesForecaster, history: Set<Int>, period: Set<Int>) throws -> MetricInput {
        var inputs: [SeriesForecastInput] = []
        var truth: [Double] = []
        for s in data.series {
            let future = data.positions(of: s, in: period)
            guard !future.isEmpty else { continue }
            let past = data.positions(of: s, in: history)
            // A series the model cannot forecast (a series model never fitted on it, too short a
            // history for lags) is left out of the scores.
            if forecaster.index(of: s.key) == nil && (!forecaster.usesFeatureColumns || past.count < lag.history) { continue }
            inputs.append(SeriesForecastInput(key: s.key, historyTimes: past.map { s.times[$0] }, history: past.map { s.values[$0] },
                                              futureTimes: future.map { s.times[$0] },
                                              exogenous: future.map { Array(exogenousRow(s.rows[$0])) }))
            truth += future.map { s.values[$0] }
        }
        let predicted = try forecaster.forecast(inputs).flatMap { $0 }
        return MetricInput(truth: truth, predicted: predicted)
    }

    /// The forecaster after the observations of `rows`.
    func absorbing(_ forecaster: TimeSeriesForecaster, rows: Set<Int>) throws -> TimeSeriesForecaster {
        forecaster.absorbing(data.series.map { s in
            let positions = data.positions(of: s, in: rows)
            return (s.key, positions.map { s.times[$0] }, positions.map { s.values[$0] })
        })
    }
}

/// Counts finished tasks across threads.
final class ProgressCounter: @unchecked Sendable {
    // Guarded by the lock.
    private var n = 0
    private let lock = MutexLock()
    func next() -> Int { lock.withLock { defer { n += 1 }; return n } }
}
