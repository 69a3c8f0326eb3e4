import MMPCore

/// A fitted model of one series that forecasts from its own past: Holt-Winters or ARIMA. It
/// keeps its state after the last observation it saw, so later observations can be filtered in
/// (with the fitted parameters) before forecasting.
public enum SeriesFit: Sendable, Equatable {
    case holtWinters(HoltWintersSpec, HoltWintersFit)
    case arima(ARIMAFit)

    public func forecast(steps: Int) -> [Double] {
        guard steps > 0 else { return [] }
        switch self {
        case .holtWinters(let spec, let fit): return HoltWinters.forecast(fit.state, spec: spec, phi: fit.parameters.phi, steps: steps)
        case .arima(let fit): return fit.forecast(steps: steps)
        }
    }

    /// The model after the next observations (nil: a step without an observation, which moves
    /// along the model's own forecast).
    public func extended(with observations: [Double?]) -> SeriesFit {
        switch self {
        case .holtWinters(let spec, var fit):
            for y in observations {
                fit.state = HoltWinters.update(fit.state, spec: spec, fit.parameters, observation: y)
            }
            return .holtWinters(spec, fit)
        case .arima(var fit):
            for y in observations { fit = fit.extended(with: [y ?? fit.forecast(steps: 1)[0]]) }
            return .arima(fit)
        }
    }

    public var summary: JSONObject {
        var o = JSONObject()
        switch self {
        case .holtWinters(let spec, let fit):
            let p = fit.parameters
            o["smoothing_level"] = .double(p.alpha)
            if spec.trend != nil { o["smoothing_trend"] = .double(p.beta); o["initial_trend"] = .double(p.trend) }
            if spec.seasonal != nil { o["smoothing_seasonal"] = .double(p.gamma) }
            if spec.damped { o["damping_trend"] = .double(p.phi) }
            o["initial_level"] = .double(p.level)
            o["sse"] = .double(fit.sse)
            o["iterations"] = .int(fit.iterations)
        case .arima(let fit):
            if fit.order.mean { o["const"] = .double(fit.mean) }
            for (i, a) in fit.ar.enumerated() { o["ar.L\(i + 1)"] = .double(a) }
            for (i, m) in fit.ma.enumerated() { o["ma.L\(i + 1)"] = .double(m) }
            o["sigma2"] = .double(fit.sigma2)
            o["log_likelihood"] = .double(fit.logLikelihood)
            o["iterations"] = .int(fit.iterations)
        }
        return o
    }
}

extension SeriesFit: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .holtWinters(let spec, let fit):
            writer.write(UInt8(0))
            writer.write(spec.trend?.rawValue ?? ""); writer.write(spec.damped); writer.write(spec.seasonal?.rawValue ?? ""); writer.write(spec.period)
            let p = fit.parameters
            writer.write([p.alpha, p.beta, p.gamma, p.phi, p.level, p.trend]); writer.write(p.seasonals)
            writer.write(fit.sse)
            writer.write([fit.state.level, fit.state.trend]); writer.write(fit.state.seasonals)
            writer.write(fit.iterations); writer.write(fit.converged)
        case .arima(let fit):
            writer.write(UInt8(1))
            writer.write([fit.order.p, fit.order.d, fit.order.q]); writer.write(fit.order.mean)
            writer.write(fit.ar); writer.write(fit.ma); writer.write([fit.mean, fit.sigma2, fit.logLikelihood])
            writer.write(fit.state.mean); writer.write(fit.state.covariance); writer.write(fit.tails)
            writer.write(fit.iterations); writer.write(fit.converged)
        }
    }

    public init(from reader: inout ByteReader) throws {
        switch try reader.readUInt8() {
        case 0:
            let trend = HoltWintersSpec.Component(rawValue: try reader.readString())
            let damped = try reader.readBool()
            let seasonal = HoltWintersSpec.Component(rawValue: try reader.readString())
            let period = try reader.readInt()
            let spec = HoltWintersSpec(trend: trend, damped: damped, seasonal: seasonal, period: period)
            let v = try reader.readDoubles(), seasonals = try reader.readDoubles()
            let sse = try reader.readDouble()
            let s = try reader.readDoubles(), stateSeasonals = try reader.readDoubles()
            let iterations = try reader.readInt(), converged = try reader.readBool()
            guard v.count == 6, s.count == 2, seasonals.count == spec.period, stateSeasonals.count == spec.period else {
                throw MMPError.corrupt("a stored Holt-Winters model does not fit together")
            }
            self = .holtWinters(spec, HoltWintersFit(
                parameters: HoltWintersParameters(alpha: v[0], beta: v[1], gamma: v[2], phi: v[3], level: v[4], trend: v[5], seasonals: seasonals),
                sse: sse, state: HoltWintersState(level: s[0], trend: s[1], seasonals: stateSeasonals), iterations: iterations, converged: converged))
        case 1:
            let o = try reader.readInts(), mean = try reader.readBool()
            let ar = try reader.readDoubles(), ma = try reader.readDoubles(), f = try reader.readDoubles()
            let stateMean = try reader.readDoubles(), covariance = try reader.readDoubles(), tails = try reader.readDoubles()
            let iterations = try reader.readInt(), converged = try reader.readBool()
            let r = max(ar.count, ma.count + 1)
            guard o.count == 3, ar.count == o[0], ma.count == o[2], tails.count == o[1], f.count == 3,
                  stateMean.count == r, covariance.count == r * r, ARMAKalman(ar: ar, ma: ma) != nil else {
                throw MMPError.corrupt("a stored ARIMA model does not fit together")
            }
            self = .arima(ARIMAFit(order: ARIMAOrder(p: o[0], d: o[1], q: o[2], mean: mean), ar: ar, ma: ma, mean: f[0], sigma2: f[1],
                                   logLikelihood: f[2], state: ARMAKalman.State(mean: stateMean, covariance: covariance), tails: tails,
                                   iterations: iterations, converged: converged))
        case let tag:
            throw MMPError.corrupt("unknown series model kind \(tag)")
        }
    }
}

/// Estimators of one series at a time (they learn from the target's own past, not from feature
/// columns).
public protocol SeriesEstimator: Estimator {
    var modelName: String { get }
    func fitSeries(_ values: [Double]) throws -> SeriesFit
}

extension SeriesEstimator {
    /// Outside a timeseries recipe: the target is one series in row order, and predicting n rows
    /// forecasts the next n values (the Python tool's wrappers behave so).
    public func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        try context.checkCancelled()
        return SingleSeriesModel(fit: try fitSeries(data.target))
    }
}

/// A series model fitted on one series, predicting the steps after it.
public struct SingleSeriesModel: TrainedModel {
    public static let typeName = "single_series.v1"
    public var fit: SeriesFit
    public func predict(_ features: Matrix) -> [Double] { fit.forecast(steps: features.rows) }
    public var summary: JSONObject { fit.summary }
    public func encode(to writer: inout ByteWriter) { writer.write(fit) }
    public init(fit: SeriesFit) { self.fit = fit }
    public init(from reader: inout ByteReader) throws { fit = try reader.read() }
}

struct HoltWintersEstimator: SeriesEstimator {
    var spec: HoltWintersSpec
    var modelName: String { "ExponentialSmoothing" }
    func fitSeries(_ values: [Double]) throws -> SeriesFit { .holtWinters(spec, try HoltWinters.fit(values, spec: spec)) }
}

struct ARIMAEstimator: SeriesEstimator {
    var order: ARIMAOrder
    var modelName: String { "ARIMA" }
    func fitSeries(_ values: [Double]) throws -> SeriesFit { .arima(try ARIMA.fit(values, order: order)) }
}
