#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// Holt-Winters exponential smoothing as statsmodels' `tsa.holtwinters.ExponentialSmoothing`
/// defines it: additive or multiplicative trend (optionally damped) and seasonality, fitted by
/// minimising the sum of squared one-step errors over the smoothing parameters and the initial
/// states together (`initialization_method="estimated"`), from the same heuristic initial states
/// and brute-force starting grid. The recursions, the parameter space (α, β/α, γ/(1 − α) in
/// [0, 1], φ in [0.8, 0.995]) and the bounds are statsmodels'; the optimiser is our bounded
/// L-BFGS run to a tighter tolerance.
public struct HoltWintersSpec: Sendable, Equatable {
    public enum Component: String, Sendable { case add, mul }
    public var trend: Component?
    public var damped: Bool
    public var seasonal: Component?
    /// Observations per season (0 without a seasonal component).
    public var period: Int

    public init(trend: Component?, damped: Bool, seasonal: Component?, period: Int) {
        self.trend = trend; self.damped = damped && trend != nil; self.seasonal = seasonal
        self.period = seasonal == nil ? 0 : period
    }
}

/// The fitted parameters: smoothing weights, damping, and the initial states.
public struct HoltWintersParameters: Sendable, Equatable {
    public var alpha: Double
    public var beta: Double
    public var gamma: Double
    /// 1 without damping.
    public var phi: Double
    public var level: Double
    public var trend: Double
    public var seasonals: [Double]
}

/// The states after the last observation, from which forecasts start.
public struct HoltWintersState: Sendable, Equatable {
    public var level: Double
    public var trend: Double
    /// The latest seasonal state of each of the next `period` steps, in order.
    public var seasonals: [Double]
}

enum HoltWinters {
    /// One-step errors of `y` (and the final state) under `p`, with statsmodels' indexing: the
    /// forecast of y[i] uses the states after y[i-1].
    static func filter(_ y: UnsafeBufferPointer<Double>, spec: HoltWintersSpec, _ p: HoltWintersParameters,
                       errors: UnsafeMutablePointer<Double>?) -> (sse: Double, state: HoltWintersState) {
        let m = spec.period
        let (alpha, beta, gamma, phi) = (p.alpha, p.beta, p.gamma, p.phi)
        let addTrend = spec.trend == .add, mulTrend = spec.trend == .mul
        let mulSeason = spec.seasonal == .mul, addSeason = spec.seasonal == .add
        var l = p.level, b = p.trend
        // Ring buffer of the seasonal states s[i..i+m-1] (one slot when there is no season).
        let ring = UnsafeMutablePointer<Double>.allocate(capacity: max(m, 1))
        defer { ring.deallocate() }
        if m > 0 { for k in 0..<m { ring[k] = p.seasonals[k] } } else { ring[0] = mulSeason ? 1 : 0 }
        var head = 0
        var sse = 0.0
        let n = y.count
        // The hot loop of every fit: flags hoisted, no modulo, no bounds checks.
        for i in 0..<n {
            let db = addTrend ? phi * b : (mulTrend ? pow(b, phi) : 0)
            let base = addTrend ? l + db : (mulTrend ? l * db : l)
            let season = ring[head]
            let forecast = mulSeason ? base * season : base + season
            let yi = y[i]
            let e = yi - forecast
            errors?[i] = e
            sse += e * e
            // States after observing y[i].
            let newLevel: Double
            if mulSeason { newLevel = alpha * yi / season + (1 - alpha) * base }
            else if addSeason { newLevel = alpha * yi - alpha * season + (1 - alpha) * base }
            else { newLevel = alpha * yi + (1 - alpha) * base }
            if addTrend { b = beta * (newLevel - l) + (1 - beta) * db }
            else if mulTrend { b = beta * (newLevel / l) + (1 - beta) * db }
            if m > 0 {
                ring[head] = mulSeason ? gamma * yi / base + (1 - gamma) * season : gamma * yi - gamma * base + (1 - gamma) * season
                head += 1
                if head == m { head = 0 }
            }
            l = newLevel
        }
        var seasonals: [Double] = []
        if m > 0 { seasonals = (0..<m).map { ring[(head + $0) % m] } }
        return (sse, HoltWintersState(level: l, trend: b, seasonals: seasonals))
    }

    /// Forecasts of the next `steps` observations from a state.
    static func forecast(_ state: HoltWintersState, spec: HoltWintersSpec, phi: Double, steps: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(steps)
        var phiSum = 0.0, power = 1.0
        for k in 1...max(steps, 1) where k <= steps {
            power *= spec.damped ? phi : 1
            phiSum += spec.damped ? power : 1
            let base: Double
            switch spec.trend {
            case .add?: base = state.level + phiSum * state.trend
            case .mul?: base = state.level * pow(state.trend, phiSum)
            case nil: base = state.level
            }
            let season = spec.period > 0 ? state.seasonals[(k - 1) % spec.period] : (spec.seasonal == .mul ? 1 : 0)
            out.append(spec.seasonal == .mul ? base * season : base + season)
        }
        return out
    }

    /// Advances a state by one step with an observation (nil: the step is unobserved and the
    /// state moves as its own forecast).
    static func update(_ state: HoltWintersState, spec: HoltWintersSpec, _ p: HoltWintersParameters, observation: Double?) -> HoltWintersState {
        let predicted = forecast(state, spec: spec, phi: p.phi, steps: 1)[0]
        let y = observation ?? predicted
        var params = p
        params.level = state.level; params.trend = state.trend; params.seasonals = state.seasonals
        return [y].withUnsafeBufferPointer { filter($0, spec: spec, params, errors: nil).state }
    }
}

extension HoltWinters {
    /// statsmodels' initial states for `initialization_method="estimated"`: the heuristic of
    /// Hyndman and Athanasopoulos §2.6 with enough data, their simple one otherwise.
    static func initialStates(_ y: [Double], spec: HoltWintersSpec) throws -> (level: Double, trend: Double, seasonals: [Double]) {
        let m = spec.period, n = y.count
        if n < 10 + 2 * (m / 2) { return try simpleStates(y, spec: spec) }
        var series = y
        var seasonals: [Double] = []
        if let seasonal = spec.seasonal {
            guard n >= 2 * m else { throw MMPError.invalidData("ExponentialSmoothing: the seasonal component needs two full seasons (\(2 * m) observations); the series has \(n)") }
            let minObs = 10 + 2 * (m / 2)
            var cycles = min(5, n / m)
            cycles = max(cycles, Int((Double(minObs) / Double(m)).rounded(.up)))
            let window = Array(y.prefix(m * cycles))
            // Centred moving average (2×m for an even period).
            var trend = [Double](repeating: .nan, count: window.count)
            let k = window.count
            var centred = [Double](repeating: .nan, count: k)
            for i in 0..<k {
                // pandas rolling(m, center=True): the m values from i − m/2.
                let start = i - m / 2
                let end = start + m
                if start >= 0 && end <= k { centred[i] = window[start..<end].reduce(0, +) / Double(m) }
            }
            if m % 2 == 0 {
                // .shift(-1).rolling(2).mean(): mean of centred[i] and centred[i + 1].
                for i in 0..<k {
                    let a = i + 1 < k ? centred[i + 1] : .nan
                    let b = centred[i]
                    trend[i] = (a + b) / 2
                }
            } else {
                trend = centred
            }
            var sums = [Double](repeating: 0, count: m), counts = [Double](repeating: 0, count: m)
            for i in 0..<k where !trend[i].isNaN {
                let d = seasonal == .add ? window[i] - trend[i] : window[i] / trend[i]
                sums[i % m] += d; counts[i % m] += 1
            }
            seasonals = (0..<m).map { counts[$0] > 0 ? sums[$0] / counts[$0] : .nan }
            let mean = seasonals.reduce(0, +) / Double(m)
            seasonals = seasonals.map { seasonal == .add ? $0 - mean : $0 / mean }
            series = trend.filter { !$0.isNaN }
        }
        // Least squares line through the first ten values: level = intercept (at t = 0), slope.
        guard series.count >= 10 else { return try simpleStates(y, spec: spec) }
        let first = Array(series.prefix(10))
        let tMean = 5.5, yMean = first.reduce(0, +) / 10
        var sxy = 0.0, sxx = 0.0
        for (i, v) in first.enumerated() { let t = Double(i + 1) - tMean; sxy += t * (v - yMean); sxx += t * t }
        let slope = sxy / sxx
        let intercept = yMean - slope * tMean
        let trend: Double
        switch spec.trend {
        case .add?: trend = slope
        case .mul?: trend = 1 + slope / intercept
        case nil: trend = 0
        }
        return (intercept, trend, seasonals)
    }

    static func simpleStates(_ y: [Double], spec: HoltWintersSpec) throws -> (level: Double, trend: Double, seasonals: [Double]) {
        let m = spec.period
        guard y.count >= 2 else { throw MMPError.invalidData("ExponentialSmoothing needs at least 2 observations") }
        guard let seasonal = spec.seasonal else {
            let trend: Double
            switch spec.trend {
            case .add?: trend = y[1] - y[0]
            case .mul?: trend = y[1] / y[0]
            case nil: trend = 0
            }
            return (y[0], trend, [])
        }
        guard y.count >= 2 * m else { throw MMPError.invalidData("ExponentialSmoothing: the seasonal component needs two full seasons (\(2 * m) observations); the series has \(y.count)") }
        let level = y.prefix(m).reduce(0, +) / Double(m)
        var trend = 0.0
        if spec.trend != nil { trend = (0..<m).reduce(0) { $0 + (y[m + $1] - y[$1]) / Double(m) } / Double(m) }
        let seasonals = (0..<m).map { seasonal == .add ? y[$0] - level : y[$0] / level }
        return (level, trend, seasonals)
    }
}
