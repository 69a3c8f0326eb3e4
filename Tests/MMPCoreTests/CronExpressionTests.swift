import MMPCore
import Testing
@testable import MMPCore

/// Cron parsing and next-fire computation, without any clock or zone database: UTC, a fixed
/// offset, and a zone with the European 2024 clock changes written out (the same instants
/// Europe/Berlin has; MMPPipelineTests checks real zones through Foundation).
@Suite struct CronExpressionTests {
    /// CET (+1) until 2024-03-31 01:00 UTC, CEST (+2) until 2024-10-27 01:00 UTC, then CET.
    struct Europe2024: UTCOffsetSource {
        static let spring: Int64 = 1_711_846_800  // 2024-03-31T01:00:00Z
        static let autumn: Int64 = 1_729_990_800  // 2024-10-27T01:00:00Z
        func offset(atUTC s: Int64) -> Int { s >= Self.spring && s < Self.autumn ? 7200 : 3600 }
    }

    /// Seconds since the epoch of a UTC wall-clock time.
    static func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0) -> Int64 {
        CivilTime(year: y, month: mo, day: d, hour: h, minute: mi).seconds
    }

    static func fires(_ expression: String, after: Int64, count: Int, zone: some UTCOffsetSource = FixedUTCOffset.utc) throws -> [Int64] {
        let cron = try CronExpression(expression)
        var out: [Int64] = []
        var t = after
        for _ in 0..<count {
            guard let next = cron.next(after: t, in: zone) else { break }
            out.append(next)
            t = next
        }
        return out
    }

    @Test func civilDaysRoundTrip() {
        #expect(CivilTime(year: 1970, month: 1, day: 1).seconds == 0)
        #expect(CivilTime(year: 2024, month: 2, day: 29).weekday == 4)  // a Thursday
        #expect(CivilTime(year: 2000, month: 1, day: 1).weekday == 6)   // a Saturday
        for days in stride(from: -800_000, to: 800_000, by: 997) {
            let t = CivilTime(seconds: Int64(days) * 86_400 + 3_723)
            #expect(CivilTime.days(year: t.year, month: t.month, day: t.day) == days)
            #expect(t.hour == 1 && t.minute == 2)
        }
    }

    @Test func stepsRangesListsAndNames() throws {
        let start = Self.utc(2024, 1, 1, 0, 7)  // a Monday
        #expect(try Self.fires("*/15 * * * *", after: start, count: 3) == [Self.utc(2024, 1, 1, 0, 15), Self.utc(2024, 1, 1, 0, 30), Self.utc(2024, 1, 1, 0, 45)])
        #expect(try Self.fires("0 3 * * *", after: start, count: 2) == [Self.utc(2024, 1, 1, 3), Self.utc(2024, 1, 2, 3)])
        #expect(try Self.fires("0 9 * * MON-FRI", after: Self.utc(2024, 1, 5, 10), count: 2) == [Self.utc(2024, 1, 8, 9), Self.utc(2024, 1, 9, 9)])
        #expect(try Self.fires("0 0 1,15 * *", after: start, count: 3) == [Self.utc(2024, 1, 15), Self.utc(2024, 2, 1), Self.utc(2024, 2, 15)])
        #expect(try Self.fires("10-20/5 4 * * *", after: start, count: 4) == [Self.utc(2024, 1, 1, 4, 10), Self.utc(2024, 1, 1, 4, 15), Self.utc(2024, 1, 1, 4, 20), Self.utc(2024, 1, 2, 4, 10)])
        #expect(try Self.fires("50/5 * * * *", after: start, count: 3) == [Self.utc(2024, 1, 1, 0, 50), Self.utc(2024, 1, 1, 0, 55), Self.utc(2024, 1, 1, 1, 50)])
        #expect(try Self.fires("0 0 * jan,Mar sun", after: start, count: 2) == [Self.utc(2024, 1, 7), Self.utc(2024, 1, 14)])
        // 7 is Sunday too.
        #expect(try Self.fires("0 0 * * 7", after: start, count: 1) == [Self.utc(2024, 1, 7)])
        #expect(try Self.fires("0 0 * * 5-7", after: start, count: 3) == [Self.utc(2024, 1, 5), Self.utc(2024, 1, 6), Self.utc(2024, 1, 7)])
        #expect(try Self.fires("@hourly", after: start, count: 1) == [Self.utc(2024, 1, 1, 1)])
        #expect(try Self.fires("@monthly", after: start, count: 1) == [Self.utc(2024, 2, 1)])
        #expect(try Self.fires("@weekly", after: start, count: 1) == [Self.utc(2024, 1, 7)])
    }

    /// Both day fields restricted: either matches (Vixie cron). One starting with `*`: both must.
    @Test func dayOfMonthOrDayOfWeek() throws {
        let start = Self.utc(2024, 9, 1)
        // The 13th, or any Friday.
        #expect(try Self.fires("0 0 13 * FRI", after: start, count: 3) == [Self.utc(2024, 9, 6), Self.utc(2024, 9, 13), Self.utc(2024, 9, 20)])
        // Every other day of the month that is also a Friday.
        #expect(try Self.fires("0 0 */2 * FRI", after: start, count: 2) == [Self.utc(2024, 9, 13), Self.utc(2024, 9, 27)])
    }

    @Test func leapDaysAndTheSearchHorizon() throws {
        #expect(try Self.fires("0 12 29 2 *", after: Self.utc(2024, 3, 1), count: 2) == [Self.utc(2028, 2, 29, 12), Self.utc(2032, 2, 29, 12)])
        // In February, the 29th or any Monday (both day fields restricted): the first Monday of February 2025.
        #expect(try Self.fires("0 0 29 2 MON", after: Self.utc(2024, 3, 1), count: 1) == [Self.utc(2025, 2, 3)])
        #expect(try CronExpression("0 0 * * *").next(after: Self.utc(2024, 1, 1), in: FixedUTCOffset.utc) == Self.utc(2024, 1, 2))
    }

    @Test func fixedOffsetShiftsWallClock() throws {
        let seoul = FixedUTCOffset(seconds: 9 * 3600)
        // 03:00 in UTC+9 is 18:00 UTC the day before.
        #expect(try Self.fires("0 3 * * *", after: Self.utc(2024, 1, 1), count: 2, zone: seoul) == [Self.utc(2024, 1, 1, 18), Self.utc(2024, 1, 2, 18)])
    }

    /// Spring forward: 02:00-02:59 do not exist on 31 March. A fixed-hour schedule at 02:30 runs at
    /// 03:00 CEST instead (once), an hourly one skips the hour, and nothing runs twice.
    @Test func springForward() throws {
        let zone = Europe2024()
        let before = Self.utc(2024, 3, 30, 12)
        #expect(try Self.fires("30 2 * * *", after: before, count: 3, zone: zone) == [
            Self.utc(2024, 3, 31, 1),        // the end of the gap: 03:00 CEST
            Self.utc(2024, 4, 1, 0, 30),     // 02:30 CEST
            Self.utc(2024, 4, 2, 0, 30),
        ])
        #expect(try Self.fires("0,30 2 * * *", after: before, count: 2, zone: zone) == [Self.utc(2024, 3, 31, 1), Self.utc(2024, 4, 1, 0)])
        #expect(try Self.fires("30 * * * *", after: Self.utc(2024, 3, 31, 0, 0), count: 3, zone: zone) == [
            Self.utc(2024, 3, 31, 0, 30),    // 01:30 CET
            Self.utc(2024, 3, 31, 1, 30),    // 03:30 CEST: 02:30 never happened
            Self.utc(2024, 3, 31, 2, 30),
        ])
    }

    /// Fall back: 02:00-02:59 happen twice on 27 October. A fixed-hour schedule runs at the first
    /// 02:30 only; one whose hour is `*` keeps its rhythm in real time and runs at both.
    @Test func fallBack() throws {
        let zone = Europe2024()
        #expect(try Self.fires("30 2 * * *", after: Self.utc(2024, 10, 26, 12), count: 2, zone: zone) == [
            Self.utc(2024, 10, 27, 0, 30),   // 02:30 CEST
            Self.utc(2024, 10, 28, 1, 30),   // 02:30 CET the next day
        ])
        #expect(try Self.fires("*/30 * * * *", after: Self.utc(2024, 10, 26, 23, 45), count: 6, zone: zone) == [
            Self.utc(2024, 10, 27, 0, 0),    // 02:00 CEST
            Self.utc(2024, 10, 27, 0, 30),   // 02:30 CEST
            Self.utc(2024, 10, 27, 1, 0),    // 02:00 CET
            Self.utc(2024, 10, 27, 1, 30),   // 02:30 CET
            Self.utc(2024, 10, 27, 2, 0),    // 03:00 CET
            Self.utc(2024, 10, 27, 2, 30),
        ])
    }

    @Test(arguments: [
        ("0 3 * *", "five fields"),
        ("60 * * * *", "outside the minute field's 0-59"),
        ("* 24 * * *", "outside the hour field's 0-23"),
        ("* * 0 * *", "outside the day of month field's 1-31"),
        ("* * * 13 *", "outside the month field's 1-12"),
        ("* * * * 8", "outside the day of week field's 0-7"),
        ("5-3 * * * *", "runs backwards"),
        ("*/0 * * * *", "must be a whole number above 0"),
        ("* * * foo *", "is not a month"),
        ("* * * * funday", "is not a day of week"),
        ("1,,2 * * * *", "empty list item"),
        ("0 0 30 2 *", "never fires"),
        ("@reboot", "is not a schedule macro"),
    ])
    func badExpressionsSayWhatIsWrong(_ expression: String, _ message: String) {
        #expect { try CronExpression(expression) } throws: { error in
            guard let e = error as? MMPError else { return false }
            return e.kind == .invalidInput && e.message.contains(message) && e.message.contains(expression.trimmed())
        }
    }

    @Test func fireTimesListWhatCameDue() throws {
        let cron = try CronExpression("*/10 * * * *")
        let times = cron.fireTimes(after: Self.utc(2024, 1, 1, 0, 0), until: Self.utc(2024, 1, 1, 1, 0), in: FixedUTCOffset.utc, limit: 100)
        #expect(times.count == 6 && times.last == Self.utc(2024, 1, 1, 1, 0))
        #expect(cron.fireTimes(after: 0, until: Self.utc(2024, 1, 1), in: FixedUTCOffset.utc, limit: 3).count == 3)
    }
}
