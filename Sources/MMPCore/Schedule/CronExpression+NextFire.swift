/// A zone as cron needs it: the offset from UTC (seconds east) in force at an instant. `mmp`
/// answers it from Foundation's `TimeZone` (the zone data in /usr/share/zoneinfo); tests also use
/// fixed offsets.
public protocol UTCOffsetSource: Sendable {
    func offset(atUTC seconds: Int64) -> Int
}

/// A zone that never changes its clocks (UTC, or `+09:00`).
public struct FixedUTCOffset: UTCOffsetSource {
    public var seconds: Int
    public init(seconds: Int) { self.seconds = seconds }
    public static let utc = FixedUTCOffset(seconds: 0)
    public func offset(atUTC _: Int64) -> Int { seconds }
}

extension CronExpression {
    /// The first instant strictly after `after` (seconds since the epoch, UTC) at which the
    /// schedule fires in `zone`, or nil when it does not fire within ten years (a 29 February
    /// that never meets its weekday).
    ///
    /// Clock changes: a wall-clock time the clock skips (spring forward) fires at the first
    /// instant after the gap, once however many of its times fell in the gap, unless the hour
    /// field starts with `*` (such schedules simply go on after the gap); a wall-clock time that
    /// happens twice (fall back) fires at its first occurrence only, unless the hour field starts
    /// with `*`, when it fires at both. So `30 2 * * *` runs once every day, and `*/15 * * * *`
    /// every fifteen minutes of real time.
    public func next(after: Int64, in zone: some UTCOffsetSource) -> Int64? {
        // Start from the earliest wall-clock reading the next day can show: a clock about to
        // fall back reads earlier times again.
        let probe = after + 60
        let startOffset = min(zone.offset(atUTC: probe), zone.offset(atUTC: probe + 86_400))
        var local = CivilTime(seconds: probe + Int64(startOffset))
        let horizon = local.year + 10
        var best: Int64?
        var bestLocal: Int64 = 0
        while let match = nextMatch(from: local, horizon: horizon) {
            // Later wall-clock times cannot map before the best instant found once they are more
            // than the largest clock change (two hours, with margin) past its wall-clock time.
            if best != nil, match.seconds > bestLocal + 3 * 3600 { break }
            for instant in instants(of: match, in: zone) where instant > after {
                if best == nil || instant < best! {
                    best = instant
                    bestLocal = match.seconds
                }
            }
            // No clock change from `after` to a few hours past the best: wall-clock order is
            // instant order, so the first instant found is the answer.
            if let best, zone.offset(atUTC: after) == zone.offset(atUTC: best),
               zone.offset(atUTC: best) == zone.offset(atUTC: best + 3 * 3600) { break }
            local = CivilTime(seconds: match.seconds + 60)
        }
        return best
    }

    /// The instants at which the wall-clock minute `t` fires in `zone` (see `next`).
    func instants(of t: CivilTime, in zone: some UTCOffsetSource) -> [Int64] {
        let wall = t.seconds
        let before = zone.offset(atUTC: wall - 86_400), after = zone.offset(atUTC: wall + 86_400)
        var found: [Int64] = []
        for offset in Set([before, after]) {
            let instant = wall - Int64(offset)
            if zone.offset(atUTC: instant) == offset { found.append(instant) }
        }
        found.sort()
        if found.isEmpty {
            // Skipped by the clock: the first instant after the gap, for fixed-hour schedules.
            guard !hourIsStar, after > before else { return [] }
            return [Self.transition(from: wall - Int64(after), to: wall - Int64(before), in: zone, newOffset: after)]
        }
        return hourIsStar ? found : [found[0]]
    }

    /// The first second in [low, high] at which `zone` shows `newOffset`.
    static func transition(from low: Int64, to high: Int64, in zone: some UTCOffsetSource, newOffset: Int) -> Int64 {
        var lo = low, hi = high
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if zone.offset(atUTC: mid) == newOffset { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// The first wall-clock minute at or after `t` the fields match, jumping whole months, days
    /// and hours that cannot match.
    func nextMatch(from start: CivilTime, horizon: Int) -> CivilTime? {
        var t = start
        while t.year <= horizon {
            if months & (1 << UInt64(t.month)) == 0 {
                t = t.month == 12 ? CivilTime(year: t.year + 1, month: 1, day: 1) : CivilTime(year: t.year, month: t.month + 1, day: 1)
                continue
            }
            if !matchesDay(t) {
                t = CivilTime(seconds: CivilTime(year: t.year, month: t.month, day: t.day).seconds + 86_400)
                continue
            }
            if hours & (1 << UInt64(t.hour)) == 0 {
                t = CivilTime(seconds: CivilTime(year: t.year, month: t.month, day: t.day, hour: t.hour).seconds + 3600)
                continue
            }
            if minutes & (1 << UInt64(t.minute)) == 0 {
                t = CivilTime(seconds: t.seconds + 60)
                continue
            }
            return t
        }
        return nil
    }

    /// The fire times in (after, until], at most `limit` of them: what came due while nobody
    /// was looking.
    public func fireTimes(after: Int64, until: Int64, in zone: some UTCOffsetSource, limit: Int) -> [Int64] {
        var out: [Int64] = []
        var t = after
        while out.count < limit, let next = next(after: t, in: zone), next <= until {
            out.append(next)
            t = next
        }
        return out
    }
}
