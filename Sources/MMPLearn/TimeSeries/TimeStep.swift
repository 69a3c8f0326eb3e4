import MMPCore

/// How far apart consecutive observations of a series are: a fixed number of seconds, or whole
/// calendar months (monthly, quarterly, yearly data, whose lengths in seconds vary).
public enum TimeStep: Sendable, Equatable {
    case seconds(Double)
    case months(Int)

    /// The step most series use: calendar months when every gap is a whole number of months
    /// landing on the same day and time, else the median gap in seconds.
    public static func infer(_ series: [[Double]]) throws -> TimeStep {
        var gaps: [Double] = []
        var monthGaps: [Int] = []
        var calendar = true
        for times in series where times.count > 1 {
            for i in 1..<times.count {
                let gap = times[i] - times[i - 1]
                guard gap > 0 else { continue }
                gaps.append(gap)
                if calendar {
                    let a = CalendarDate(times[i - 1]), b = CalendarDate(times[i])
                    let months = (b.year - a.year) * 12 + (b.month - a.month)
                    if months >= 1, a.day == b.day, a.secondOfDay == b.secondOfDay { monthGaps.append(months) } else { calendar = false }
                }
            }
        }
        guard !gaps.isEmpty else {
            throw MMPError.invalidData("a time series needs at least two observations with different timestamps to tell how far apart its steps are")
        }
        if calendar, let k = mode(monthGaps), gaps.allSatisfy({ $0 >= 27 * 86_400 }) { return .months(k) }
        let sorted = gaps.sorted()
        return .seconds(sorted[sorted.count / 2])
    }

    private static func mode(_ values: [Int]) -> Int? {
        var counts: [Int: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
    }

    /// `t` moved `k` steps on.
    public func advance(_ t: Double, by k: Int) -> Double {
        switch self {
        case .seconds(let s): return t + Double(k) * s
        case .months(let m):
            let date = CalendarDate(t)
            let total = date.year * 12 + (date.month - 1) + k * m
            let year = total >= 0 ? total / 12 : (total - 11) / 12
            let month = total - year * 12 + 1
            let days = Timestamp.days(fromCivil: year, month, min(date.day, CalendarDate.daysIn(year, month)))
            return Double(days) * 86_400 + date.secondOfDay
        }
    }

    /// Whole steps from `a` to `b` (rounded to the nearest step).
    public func steps(from a: Double, to b: Double) -> Int {
        switch self {
        case .seconds(let s): return Int(((b - a) / s).rounded())
        case .months(let m):
            let x = CalendarDate(a), y = CalendarDate(b)
            let months = Double((y.year - x.year) * 12 + (y.month - x.month)) + (y.day - x.day >= 15 ? 1 : (x.day - y.day >= 15 ? -1 : 0))
            return Int((months / Double(m)).rounded())
        }
    }

    public var description: String {
        switch self {
        case .seconds(let s):
            if s.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(s / 86_400)) day\(s == 86_400 ? "" : "s")" }
            return "\(JSON.format(s)) seconds"
        case .months(let m): return m == 12 ? "1 year" : m == 3 ? "1 quarter" : "\(m) month\(m == 1 ? "" : "s")"
        }
    }
}

extension TimeStep: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .seconds(let s): writer.write(UInt8(0)); writer.write(s)
        case .months(let m): writer.write(UInt8(1)); writer.write(m)
        }
    }

    public init(from reader: inout ByteReader) throws {
        switch try reader.readUInt8() {
        case 0: self = .seconds(try reader.readDouble())
        case 1: self = .months(try reader.readInt())
        case let tag: throw MMPError.corrupt("unknown time step kind \(tag)")
        }
    }
}

/// A UTC calendar date and time of day, from seconds since the epoch.
struct CalendarDate {
    var year: Int
    var month: Int
    var day: Int
    var secondOfDay: Double
    /// Days since 1970-01-01.
    var days: Int

    init(_ t: Double) {
        let days = Int((t / 86_400).rounded(.down))
        self.days = days
        secondOfDay = t - Double(days) * 86_400
        (year, month, day) = Timestamp.civil(fromDays: days)
    }

    /// Monday = 0 … Sunday = 6 (pandas' dayofweek); 1970-01-01 was a Thursday.
    var dayOfWeek: Int { ((days % 7) + 7 + 3) % 7 }

    static func daysIn(_ year: Int, _ month: Int) -> Int {
        let next = month == 12 ? Timestamp.days(fromCivil: year + 1, 1, 1) : Timestamp.days(fromCivil: year, month + 1, 1)
        return next - Timestamp.days(fromCivil: year, month, 1)
    }
}
