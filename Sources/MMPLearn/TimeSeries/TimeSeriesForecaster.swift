import MMPCore

/// What a time-series bundle holds: the fitted model (a regressor on the lag, calendar and
/// feature columns, or one Holt-Winters/ARIMA fit per series), the time step, and per series the
/// last observations seen, so that forecasts can start where the data ended.
public struct TimeSeriesForecaster: TrainedModel {
    public static let typeName = "time_series_forecaster.v1"

    public enum Engine: Sendable {
        /// A regression model on [lag/calendar features, the recipe's own features].
        case regressor(any TrainedModel)
        /// One fit per series, in `keys` order.
        case series([SeriesFit])
    }

    public var engine: Engine
    public var features: LagFeatures
    public var step: TimeStep
    /// The recipe's own feature columns (after preprocessing), placed after the generated ones.
    public var exogenous: [String]
    /// Entity key of each series ("" for a single series without entity columns).
    public var keys: [String]
    /// Per series: the time of its last observation and its last `features.history` values.
    public var lastTimes: [Double]
    public var tails: [[Double]]

    public init(engine: Engine, features: LagFeatures, step: TimeStep, exogenous: [String], keys: [String],
                lastTimes: [Double], tails: [[Double]]) {
        self.engine = engine; self.features = features; self.step = step; self.exogenous = exogenous
        self.keys = keys; self.lastTimes = lastTimes; self.tails = tails
    }

    /// Matrix columns of the regressor: generated features, then the recipe's own.
    public var columnNames: [String] { features.names + exogenous }

    public var usesFeatureColumns: Bool { if case .regressor = engine { return true } else { return false } }

    public func predict(_ features: Matrix) -> [Double] {
        if case .regressor(let model) = engine { return model.predict(features) }
        return [Double](repeating: .nan, count: features.rows)
    }

    public var featureImportances: [Double]? {
        if case .regressor(let model) = engine { return model.featureImportances }
        return nil
    }

    public var summary: JSONObject {
        var o = JSONObject()
        o["series"] = .int(keys.count)
        o["time_step"] = .string(step.description)
        switch engine {
        case .regressor(let model):
            for (k, v) in model.summary { o[k] = v }
        case .series(let fits):
            if fits.count == 1 { for (k, v) in fits[0].summary { o[k] = v } }
        }
        return o
    }

    public func index(of key: String) -> Int? { keyIndex[key] }

    private var keyIndex: [String: Int] { Dictionary(keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a }) }
}

/// One series to forecast: its known observations (time order) and the times to forecast, with
/// the recipe's own feature values at those times (empty rows when it has none).
public struct SeriesForecastInput: Sendable {
    public var key: String
    public var historyTimes: [Double]
    public var history: [Double]
    public var futureTimes: [Double]
    public var exogenous: [[Double]]

    public init(key: String, historyTimes: [Double], history: [Double], futureTimes: [Double], exogenous: [[Double]]) {
        self.key = key; self.historyTimes = historyTimes; self.history = history; self.futureTimes = futureTimes; self.exogenous = exogenous
    }
}

extension TimeSeriesForecaster {
    /// Forecasts every input's future times after its history. A regressor forecasts step by
    /// step, each forecast becoming a lag of the next (all series in one batch per step); a
    /// series model filters in the observations newer than the ones it has seen, then forecasts.
    public func forecast(_ inputs: [SeriesForecastInput]) throws -> [[Double]] {
        let index = keyIndex
        switch engine {
        case .regressor(let model):
            var series: [[Double]] = []
            for input in inputs {
                var values: [Double] = []
                let firstNew = input.historyTimes.first ?? input.futureTimes.first ?? .infinity
                // The stored last values lead in when the given history starts after them.
                if let i = index[input.key], lastTimes[i] < firstNew { values = tails[i] }
                values += input.history
                series.append(values)
                if values.count < features.history, index[input.key] == nil {
                    throw MMPError.invalidInput("series '\(displayKey(input.key))' has \(values.count) observation\(values.count == 1 ? "" : "s") before the forecast and was not in the training data; lag features need the last \(features.history)")
                }
            }
            var out = inputs.map { [Double](repeating: .nan, count: $0.futureTimes.count) }
            let longest = inputs.map(\.futureTimes.count).max() ?? 0
            let width = features.count + exogenous.count
            for j in 0..<longest {
                let active = inputs.indices.filter { j < inputs[$0].futureTimes.count }
                var values = [Double](repeating: 0, count: active.count * width)
                values.withUnsafeMutableBufferPointer { buffer in
                    for (r, s) in active.enumerated() {
                        let row = buffer.baseAddress! + r * width
                        features.write(time: inputs[s].futureTimes[j], past: series[s][...], into: row)
                        let exo = inputs[s].exogenous.isEmpty ? [] : inputs[s].exogenous[j]
                        for k in 0..<exogenous.count { row[features.count + k] = k < exo.count ? exo[k] : .nan }
                    }
                }
                let predictions = model.predict(Matrix(rows: active.count, columns: width, values: values))
                for (r, s) in active.enumerated() {
                    out[s][j] = predictions[r]
                    series[s].append(predictions[r])
                }
            }
            return out
        case .series(let fits):
            return try inputs.map { input in
                guard let i = index[input.key] else {
                    throw MMPError.invalidInput("series '\(displayKey(input.key))' was not in the training data; ExponentialSmoothing and ARIMA forecast the series they were fitted on (known: \(keys.prefix(5).map(displayKey).joined(separator: ", "))\(keys.count > 5 ? ", …" : ""))")
                }
                return try forecastSeries(fits[i], lastTime: lastTimes[i], input)
            }
        }
    }

    private func forecastSeries(_ fit: SeriesFit, lastTime: Double, _ input: SeriesForecastInput) throws -> [Double] {
        // Step numbers after the last observation the fit has seen.
        var observed: [Int: Double] = [:]
        for (t, y) in zip(input.historyTimes, input.history) where t > lastTime {
            observed[max(1, step.steps(from: lastTime, to: t))] = y
        }
        let wanted = input.futureTimes.map { step.steps(from: lastTime, to: $0) }
        if let bad = wanted.firstIndex(where: { $0 < 1 || observed[$0] != nil }) {
            throw MMPError.invalidInput("cannot forecast \(Timestamp.iso8601(input.futureTimes[bad])) for series '\(displayKey(input.key))': it is not after the last observation (\(Timestamp.iso8601(max(lastTime, input.historyTimes.last ?? lastTime))))")
        }
        guard let last = wanted.max() else { return [] }
        var state = fit
        var forecasts: [Int: Double] = [:]
        for s in 1...last {
            if let y = observed[s] {
                state = state.extended(with: [y])
            } else {
                forecasts[s] = state.forecast(steps: 1)[0]
                state = state.extended(with: [nil])
            }
        }
        return wanted.map { forecasts[$0] ?? .nan }
    }

    func displayKey(_ key: String) -> String { key.replacing("\u{1F}", with: ", ") }
}

extension TimeSeriesForecaster {
    public func encode(to writer: inout ByteWriter) {
        switch engine {
        case .regressor(let model):
            writer.write(UInt8(0))
            ModelCodec.encode(model, to: &writer)
        case .series(let fits):
            writer.write(UInt8(1))
            writer.write(fits)
        }
        writer.write(features); writer.write(step); writer.write(exogenous); writer.write(keys)
        writer.write(lastTimes)
        writer.write(tails.count)
        for t in tails { writer.write(t) }
    }

    public init(from reader: inout ByteReader) throws {
        switch try reader.readUInt8() {
        case 0: engine = .regressor(try ModelCodec.decode(from: &reader))
        case 1: engine = .series(try reader.readArray(of: SeriesFit.self))
        case let tag: throw MMPError.corrupt("unknown forecaster kind \(tag)")
        }
        features = try reader.read(); step = try reader.read(); exogenous = try reader.readStrings(); keys = try reader.readStrings()
        lastTimes = try reader.readDoubles()
        let count = try reader.readInt()
        guard count == keys.count, lastTimes.count == keys.count, count < 100_000_000 else { throw MMPError.corrupt("a stored forecaster's series do not fit together") }
        tails = try (0..<count).map { _ in try reader.readDoubles() }
        if case .series(let fits) = engine, fits.count != keys.count { throw MMPError.corrupt("a stored forecaster has \(fits.count) fits for \(keys.count) series") }
    }
}

extension TimeSeriesForecaster {
    /// The forecaster after later observations of its series (time order within each): series
    /// models filter them in with their fitted parameters (a gap of k steps moves k − 1 steps
    /// along the forecast), and every series remembers its newest time and last values. New
    /// series join a regressor; a series model keeps only the series it was fitted on.
    public func absorbing(_ observations: [(key: String, times: [Double], values: [Double])]) -> TimeSeriesForecaster {
        var out = self
        var index = keyIndex
        var fits: [SeriesFit]? = nil
        if case .series(let f) = engine { fits = f }
        for o in observations {
            guard let last = o.times.last else { continue }
            if let i = index[o.key] {
                let newer = o.times.indices.filter { o.times[$0] > out.lastTimes[i] }
                if var current = fits?[i] {
                    var previous = out.lastTimes[i]
                    for j in newer {
                        let gap = max(1, step.steps(from: previous, to: o.times[j]))
                        current = current.extended(with: [Double?](repeating: nil, count: gap - 1) + [o.values[j]])
                        previous = o.times[j]
                    }
                    fits![i] = current
                }
                let combined = (out.tails[i] + newer.map { o.values[$0] })
                out.tails[i] = Array(combined.suffix(features.history))
                out.lastTimes[i] = max(out.lastTimes[i], last)
            } else if fits == nil {
                index[o.key] = out.keys.count
                out.keys.append(o.key)
                out.lastTimes.append(last)
                out.tails.append(Array(o.values.suffix(features.history)))
            }
        }
        if let fits { out.engine = .series(fits) }
        return out
    }
}
