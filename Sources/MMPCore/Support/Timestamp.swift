#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time as seconds since the Unix epoch, and its ISO 8601 text, without Foundation.
public enum Timestamp {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Monotonic seconds, for measuring durations.
    public static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// `2026-11-27T18:07:09.123Z`
    public static func iso8601(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "" }
        let whole = Int(seconds.rounded(.down))
        let millis = Int(((seconds - Double(whole)) * 1000).rounded(.down))
        let (y, m, d) = civil(fromDays: whole >= 0 ? whole / 86400 : (whole - 86399) / 86400)
        let secondsOfDay = ((whole % 86400) + 86400) % 86400
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondsOfDay / 3600, 2)):\(pad(secondsOfDay / 60 % 60, 2)):\(pad(secondsOfDay % 60, 2)).\(pad(millis, 3))Z"
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]`, with `T` and an optional `Z` or `±HH:MM`
    /// offset. Returns seconds since the epoch (UTC), or nil.
    public static func parse(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        guard chars.count >= 10 else { return nil }
        func number(_ from: Int, _ length: Int) -> Int? {
            guard from + length <= chars.count else { return nil }
            var value = 0
            for i in from..<from + length {
                let c = chars[i]
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard let year = number(0, 4), chars[4] == 45, let month = number(5, 2), chars[7] == 45,
              let day = number(8, 2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds = Double(days(fromCivil: year, month, day)) * 86400
        var i = 10
        if i == chars.count { return seconds }
        guard chars[i] == 84 || chars[i] == 32 else { return nil }  // 'T' or ' '
        i += 1
        guard let hour = number(i, 2), i + 2 < chars.count, chars[i + 2] == 58, let minute = number(i + 3, 2),
              hour < 24, minute < 60 else { return nil }
        seconds += Double(hour * 3600 + minute * 60)
        i += 5
        if i < chars.count, chars[i] == 58 {
            guard let second = number(i + 1, 2), second < 61 else { return nil }
            seconds += Double(second)
            i += 3
            if i < chars.count, chars[i] == 46 {  // fraction
                i += 1
                var scale = 0.1
                while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                    seconds += Double(chars[i] - 48) * scale
                    scale /= 10
                    i += 1
                }
            }
        }
        if i == chars.count { return seconds }
        if chars[i] == 90, i + 1 == chars.count { return seconds }  // 'Z'
        if chars[i] == 43 || chars[i] == 45 {  // '+' / '-'
            let sign: Double = chars[i] == 43 ? 1 : -1
            guard let oh = number(i + 1, 2) else { return nil }
            var om = 0
            if i + 3 < chars.count {
                let j = chars[i + 3] == 58 ? i + 4 : i + 3
                guard let m = number(j, 2) else { return nil }
                om = m
            }
            return seconds - sign * Double(oh * 3600 + om * 60)
        }
        return nil
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    // Howard Hinnant's civil-from-days algorithms.
    public static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    public static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
