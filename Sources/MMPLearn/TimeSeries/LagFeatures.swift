import MMPCore

/// The features a time-series recipe learns from besides its own columns, named as the Python
/// tool names them: calendar fields of the timestamp (year, month, day, dayofweek with Monday
/// = 0, quarter, is_weekend), target lags (1, 2, 3, 7, 14) and rolling means and standard
/// deviations (windows 3, 7, 14).
///
/// Every lag and window looks at PAST values only: the rolling features at a row summarise the
/// observations before it. (The Python tool's rolling windows include the row's own target —
/// a leak that makes its in-sample scores look better than any forecast can be; mmp does not
/// copy it.) Positions are counted within each series in time order; the first values of a
/// series have no full history and only serve as history.
public struct LagFeatures: Sendable, Equatable {
    public var target: String
    public var lags: [Int]
    public var windows: [Int]

    public init(target: String, lags: [Int] = [1, 2, 3, 7, 14], windows: [Int] = [3, 7, 14]) {
        self.target = target; self.lags = lags; self.windows = windows
    }

    public static let calendarNames = ["year", "month", "day", "dayofweek", "quarter", "is_weekend"]

    /// Observations a row needs before it for every feature to be defined.
    public var history: Int { max(lags.max() ?? 0, windows.max() ?? 0) }

    public var names: [String] {
        LagFeatures.calendarNames + lags.map { "\(target)_lag_\($0)" }
            + windows.flatMap { ["\(target)_rolling_mean_\($0)", "\(target)_rolling_std_\($0)"] }
    }

    public var count: Int { 6 + lags.count + 2 * windows.count }

    /// The features of the observation at time `t` that follows `past` (the series' earlier
    /// values, oldest first), written to `out` (`count` values; NaN where undefined).
    public func write(time t: Double, past: ArraySlice<Double>, into out: UnsafeMutablePointer<Double>) {
        let date = CalendarDate(t)
        out[0] = Double(date.year)
        out[1] = Double(date.month)
        out[2] = Double(date.day)
        out[3] = Double(date.dayOfWeek)
        out[4] = Double((date.month - 1) / 3 + 1)
        out[5] = date.dayOfWeek >= 5 ? 1 : 0
        var k = 6
        let end = past.endIndex, n = past.count
        for lag in lags {
            out[k] = lag <= n ? past[end - lag] : .nan
            k += 1
        }
        for w in windows {
            if w <= n {
                var sum = 0.0
                for i in (end - w)..<end { sum += past[i] }
                let mean = sum / Double(w)
                var squares = 0.0
                for i in (end - w)..<end { squares += (past[i] - mean) * (past[i] - mean) }
                out[k] = mean
                // pandas' rolling std: sample standard deviation (ddof = 1).
                out[k + 1] = w > 1 ? (squares / Double(w - 1)).squareRoot() : .nan
            } else {
                out[k] = .nan; out[k + 1] = .nan
            }
            k += 2
        }
    }

    public func row(time t: Double, past: ArraySlice<Double>) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { write(time: t, past: past, into: $0.baseAddress!) }
        return out
    }
}

extension LagFeatures: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.write(target); writer.write(lags); writer.write(windows)
    }

    public init(from reader: inout ByteReader) throws {
        target = try reader.readString(); lags = try reader.readInts(); windows = try reader.readInts()
        guard lags.allSatisfy({ $0 >= 1 }), windows.allSatisfy({ $0 >= 1 }) else { throw MMPError.corrupt("stored lag features are invalid") }
    }
}
