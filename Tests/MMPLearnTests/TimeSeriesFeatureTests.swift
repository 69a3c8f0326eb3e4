import MMPCore
@testable import MMPLearn
import Testing

/// Lag, rolling and calendar features look at past values only; time steps and forecasts.
@Suite struct TimeSeriesFeatureTests {
    @Test func rollingWindowsExcludeTheCurrentValue() {
        let features = LagFeatures(target: "y", lags: [1, 2], windows: [3])
        let values: [Double] = [1, 2, 3, 100]
        // The row of the 4th observation (100) sees 1, 2, 3 only: no leak of its own target.
        let row = features.row(time: 0, past: values[0..<3])
        let names = features.names
        #expect(row[names.firstIndex(of: "y_lag_1")!] == 3)
        #expect(row[names.firstIndex(of: "y_lag_2")!] == 2)
        #expect(row[names.firstIndex(of: "y_rolling_mean_3")!] == 2)
        #expect(row[names.firstIndex(of: "y_rolling_std_3")!] == 1, "sample standard deviation of 1, 2, 3")
        // Too little history: NaN, as pandas' rolling with min_periods = window.
        let early = features.row(time: 0, past: values[0..<2])
        #expect(early[names.firstIndex(of: "y_rolling_mean_3")!].isNaN)
        #expect(early[names.firstIndex(of: "y_lag_2")!] == 1)
    }

    @Test func calendarFeaturesFollowPandas() throws {
        let features = LagFeatures(target: "y")
        // 2024-03-16 is a Saturday: dayofweek 5 (Monday = 0), quarter 1, weekend.
        let t = try #require(Timestamp.parse("2024-03-16T10:00:00Z"))
        let row = features.row(time: t, past: [])
        #expect(Array(row[0..<6]) == [2024, 3, 16, 5, 1, 1])
        #expect(features.names.prefix(6) == ["year", "month", "day", "dayofweek", "quarter", "is_weekend"])
        #expect(features.names.contains("y_lag_14") && features.names.contains("y_rolling_std_14"))
        #expect(features.history == 14)
    }

    @Test func monthlyStepsFollowTheCalendar() throws {
        let times = try ["2023-11-01", "2023-12-01", "2024-01-01", "2024-02-01"].map { try #require(Timestamp.parse($0)) }
        let step = try TimeStep.infer([times])
        #expect(step == .months(1))
        #expect(Timestamp.iso8601(step.advance(times[3], by: 1)).hasPrefix("2024-03-01"))
        #expect(step.steps(from: times[0], to: times[3]) == 3)
        let daily = try TimeStep.infer([[0, 86_400, 172_800]])
        #expect(daily == .seconds(86_400))
        #expect(throws: MMPError.self) { try TimeStep.infer([[5]]) }
    }

    @Test func regressorForecastsRecursivelyFromItsOwnPredictions() throws {
        // y(t) = y(t-1) + 1 learned exactly by least squares on the lag features; a 3-step
        // forecast must continue the line, which only works if each forecast feeds the next lag.
        let lag = LagFeatures(target: "y", lags: [1], windows: [])
        let values = (0..<40).map { Double($0) }
        var rows: [Double] = [], target: [Double] = []
        for p in 1..<values.count {
            rows += lag.row(time: Double(p) * 86_400, past: values[0..<p]).suffix(1)
            target.append(values[p])
        }
        let model = try LeastSquaresEstimator(model: "LinearRegression", alpha: 0, fitIntercept: true)
            .fit(TrainingSet(features: Matrix(rows: target.count, columns: 1, values: rows), target: target, classCount: 0, featureNames: ["y_lag_1"]),
                 context: FitContext())
        struct LastColumn: TrainedModel {
            static let typeName = "test.last_column"
            var inner: any TrainedModel
            func predict(_ x: Matrix) -> [Double] {
                inner.predict(Matrix(rows: x.rows, columns: 1, values: (0..<x.rows).map { x[$0, x.columns - 1] }))
            }
            func encode(to writer: inout ByteWriter) {}
            init(inner: any TrainedModel) { self.inner = inner }
            init(from reader: inout ByteReader) throws { throw MMPError.corrupt("test model") }
        }
        let forecaster = TimeSeriesForecaster(engine: .regressor(LastColumn(inner: model)), features: lag, step: .seconds(86_400), exogenous: [],
                                              keys: [""], lastTimes: [39 * 86_400], tails: [[39]])
        let out = try forecaster.forecast([SeriesForecastInput(key: "", historyTimes: [], history: [],
                                                               futureTimes: [40, 41, 42].map { $0 * 86_400 }, exogenous: [])])
        for (k, v) in out[0].enumerated() { #expect(abs(v - Double(40 + k)) < 1e-6, "step \(k + 1): \(v)") }
    }

    @Test func seriesModelsFilterInNewObservationsBeforeForecasting() throws {
        let y: [Double] = (0..<60).map { (i: Int) -> Double in
            let bump: Double = i % 4 == 0 ? 1 : 0
            return 10 + 0.5 * Double(i) + bump
        }
        let fit = try HoltWinters.fit(Array(y.prefix(50)), spec: HoltWintersSpec(trend: .add, damped: false, seasonal: nil, period: 0))
        let forecaster = TimeSeriesForecaster(engine: .series([.holtWinters(HoltWintersSpec(trend: .add, damped: false, seasonal: nil, period: 0), fit)]),
                                              features: LagFeatures(target: "y"), step: .seconds(1), exogenous: [], keys: ["a"],
                                              lastTimes: [49], tails: [Array(y[36..<50])])
        // Observations 50…54 given as history, then forecasts of 55 and 57 (56 is a gap).
        let out = try forecaster.forecast([SeriesForecastInput(key: "a", historyTimes: (50..<55).map(Double.init), history: Array(y[50..<55]),
                                                               futureTimes: [55, 57], exogenous: [])])
        let direct = SeriesFit.holtWinters(HoltWintersSpec(trend: .add, damped: false, seasonal: nil, period: 0), fit)
            .extended(with: y[50..<55].map { Optional($0) }).forecast(steps: 3)
        #expect(abs(out[0][0] - direct[0]) < 1e-9)
        #expect(abs(out[0][1] - direct[2]) < 1e-9)
        #expect(throws: MMPError.self) {
            try forecaster.forecast([SeriesForecastInput(key: "b", historyTimes: [], history: [], futureTimes: [60], exogenous: [])])
        }
    }
}
