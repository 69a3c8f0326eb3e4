import Foundation
import MMPCore
import MMPPipeline
import Testing

/// Cron in real zones (Foundation's TimeZone over the system zone data): schedules whose hour is
/// `*` fire exactly at the instants whose local wall-clock time matches, checked minute by minute
/// through Foundation's Calendar across the clock changes of 2024 and 2025; fixed-hour ones at
/// the documented place around a change.
@Suite struct CronTimeZoneTests {
    static let zones = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Seoul", "Pacific/Chatham", "America/Santiago"]
    static let expressions = ["*/7 * * * *", "15,45 * * * *", "*/20 * * * 0", "0 * 1-3 * *", "30 */2 * * *"]

    /// Every UTC minute in (after, until] whose wall-clock time in `zone` matches, found the slow
    /// way: Foundation's calendar components, field by field.
    static func bruteForce(_ expression: String, zone: TimeZone, after: Int64, until: Int64) -> [Int64] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let fields = expression.split(separator: " ").map(String.init)
        func allows(_ field: String, _ value: Int, low: Int, high: Int) -> Bool {
            field.split(separator: ",").contains { item in
                let parts = item.split(separator: "/").map(String.init)
                let step = parts.count == 2 ? Int(parts[1])! : 1
                var lo = low, hi = high
                if parts[0] != "*" {
                    let bounds = parts[0].split(separator: "-").map { Int($0)! }
                    lo = bounds[0]; hi = bounds.count == 2 ? bounds[1] : (parts.count == 2 ? high : bounds[0])
                }
                return value >= lo && value <= hi && (value - lo) % step == 0
            }
        }
        var out: [Int64] = []
        var t = (after / 60 + 1) * 60
        while t <= until {
            let c = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: Date(timeIntervalSince1970: TimeInterval(t)))
            if allows(fields[0], c.minute!, low: 0, high: 59), allows(fields[1], c.hour!, low: 0, high: 23),
               allows(fields[2], c.day!, low: 1, high: 31), allows(fields[3], c.month!, low: 1, high: 12),
               allows(fields[4], c.weekday! - 1, low: 0, high: 6) {
                out.append(t)
            }
            t += 60
        }
        return out
    }

    @Test(arguments: zones)
    func wildcardHourSchedulesMatchTheWallClockAcrossClockChanges(_ identifier: String) throws {
        let zone = try TimeZoneOffsets(identifier: identifier)
        // Three days around each clock change of 2024-2025 (and a plain week for zones without one).
        var windows: [Int64] = [1_704_067_200]  // 2024-01-01
        var cursor = Date(timeIntervalSince1970: 1_704_067_200)
        while let next = zone.zone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 < 1_767_225_600 {
            windows.append(Int64(next.timeIntervalSince1970) - 86_400)
            cursor = next
        }
        for expression in Self.expressions {
            let cron = try CronExpression(expression)
            for start in windows {
                let end = start + 3 * 86_400
                let expected = Self.bruteForce(expression, zone: zone.zone, after: start, until: end)
                #expect(cron.fireTimes(after: start, until: end, in: zone, limit: 10_000) == expected,
                        "\(expression) in \(identifier) from \(start)")
            }
        }
    }

    @Test func fixedHourSchedulesAroundChangesInNewYork() throws {
        let zone = try TimeZoneOffsets(identifier: "America/New_York")
        let cron = try CronExpression("30 2 * * *")
        // 2024-03-10: 02:00 EST jumps to 03:00 EDT (07:00 UTC): 02:30 runs at 03:00 EDT.
        #expect(cron.next(after: 1_710_000_000, in: zone) == 1_710_054_000)
        // 2024-11-03: 02:00 EDT falls back to 01:00 EST: 02:30 happens once, at 07:30 UTC.
        #expect(cron.next(after: 1_730_563_200, in: zone) == 1_730_619_000)
        // And a daily 01:30 on that day, which happens twice, runs at the first.
        #expect(try CronExpression("30 1 * * *").next(after: 1_730_563_200, in: zone) == 1_730_611_800)
    }

    @Test func unknownZonesNameTheRealOne() {
        #expect { try TimeZoneOffsets(identifier: "Europe/Seoul") } throws: {
            ($0 as? MMPError)?.message.contains("did you mean 'Asia/Seoul'") == true
        }
        #expect { try TimeZoneOffsets(identifier: "Amerca/New_Yrok") } throws: {
            ($0 as? MMPError)?.message.contains("America/New_York") == true
        }
        #expect(throws: Never.self) { try TimeZoneOffsets(identifier: "UTC") }
    }
}
