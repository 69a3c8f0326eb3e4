/// A standard five-field cron expression: minute, hour, day of month, month, day of week.
///
/// Each field is `*`, a number, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (from a to the
/// field's end), or a comma list of these. Months and days of the week also take their English
/// names (`JAN`, `mon`); day of week 0 and 7 are both Sunday. `@yearly` (`@annually`),
/// `@monthly`, `@weekly`, `@daily` (`@midnight`) and `@hourly` stand for their usual expansions.
/// As in Vixie cron, when both day fields are restricted (neither starts with `*`) a day
/// matches if either does; otherwise both must.
///
/// A value type without I/O: `next(after:in:)` takes the zone as a function from an instant to
/// its UTC offset, so it is tested with fixed and real zones alike.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    /// The expression as written (macros kept).
    public let text: String
    let minutes: UInt64
    let hours: UInt64
    let daysOfMonth: UInt64
    let months: UInt64
    let daysOfWeek: UInt64
    let dayOfMonthIsStar: Bool
    let dayOfWeekIsStar: Bool
    /// The hour field starts with `*`: the schedule runs every hour (or more often), so it keeps
    /// its rhythm through clock changes (see `CronExpression+NextFire`).
    let hourIsStar: Bool

    public var description: String { text }

    static let macros = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
                         "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    struct Field {
        let name: String
        let low: Int
        let high: Int
        let names: [String]
        /// Where the names start counting (1 for months, 0 for days).
        let nameBase: Int
    }

    static let fields = [
        Field(name: "minute", low: 0, high: 59, names: [], nameBase: 0),
        Field(name: "hour", low: 0, high: 23, names: [], nameBase: 0),
        Field(name: "day of month", low: 1, high: 31, names: [], nameBase: 0),
        Field(name: "month", low: 1, high: 12, names: monthNames, nameBase: 1),
        Field(name: "day of week", low: 0, high: 7, names: dayNames, nameBase: 0),
    ]

    public init(_ text: String) throws {
        let trimmed = text.trimmed()
        var expanded = trimmed
        if trimmed.hasPrefix("@") {
            guard let macro = Self.macros[trimmed.lowercased()] else {
                throw Self.error(trimmed, "'\(trimmed)' is not a schedule macro (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)")
            }
            expanded = macro
        }
        let parts = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count == 5 else {
            throw Self.error(trimmed, "a cron expression has five fields (minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\" for 03:00 every day); '\(trimmed)' has \(parts.count)")
        }
        var sets: [UInt64] = []
        for (part, field) in zip(parts, Self.fields) { sets.append(try Self.parse(part, field, expression: trimmed)) }
        var dow = sets[4]
        if dow & (1 << 7) != 0 { dow = (dow | 1) & ~(1 << 7) }
        self.text = trimmed
        minutes = sets[0]; hours = sets[1]; daysOfMonth = sets[2]; months = sets[3]; daysOfWeek = dow
        dayOfMonthIsStar = parts[2].hasPrefix("*")
        dayOfWeekIsStar = parts[4].hasPrefix("*")
        hourIsStar = parts[1].hasPrefix("*")
        // With the day of week unrestricted, the day of month decides alone: some month must have one of its days.
        if dayOfWeekIsStar && !canEverMatchDayOfMonth() {
            throw Self.error(trimmed, "'\(trimmed)' never fires: no month in its month field has any of the days in its day-of-month field")
        }
    }

    /// Whether some listed month has some listed day (February counts 29 days).
    private func canEverMatchDayOfMonth() -> Bool {
        let lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        for month in 1...12 where months & (1 << UInt64(month)) != 0 {
            for day in 1...lengths[month - 1] where daysOfMonth & (1 << UInt64(day)) != 0 { return true }
        }
        return false
    }

    static func error(_ expression: String, _ message: String) -> MMPError {
        MMPError(.invalidInput, "cron expression \"\(expression)\": \(message)")
    }

    /// One field as a bit set of the values it allows.
    static func parse(_ text: String, _ field: Field, expression: String) throws -> UInt64 {
        var set: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !item.isEmpty else { throw error(expression, "the \(field.name) field '\(text)' has an empty list item") }
            var rangeText = item
            var step = 1
            if let slash = item.firstIndex(of: "/") {
                rangeText = String(item[..<slash])
                let stepText = String(item[item.index(after: slash)...])
                guard let s = Int(stepText), s > 0 else {
                    throw error(expression, "the \(field.name) field's step '\(stepText)' must be a whole number above 0")
                }
                step = s
            }
            var low: Int, high: Int
            if rangeText == "*" {
                low = field.low; high = field.name == "day of week" ? 6 : field.high
            } else if let dash = rangeText.firstIndex(of: "-") {
                low = try value(String(rangeText[..<dash]), field, expression: expression)
                high = try value(String(rangeText[rangeText.index(after: dash)...]), field, expression: expression)
                guard low <= high else {
                    throw error(expression, "the \(field.name) range '\(rangeText)' runs backwards; write it as two ranges (e.g. 22-23,0-2)")
                }
            } else {
                low = try value(rangeText, field, expression: expression)
                high = item.contains("/") ? (field.name == "day of week" ? 6 : field.high) : low
            }
            var v = low
            while v <= high {
                set |= 1 << UInt64(v)
                v += step
            }
        }
        return set
    }

    static func value(_ text: String, _ field: Field, expression: String) throws -> Int {
        if let n = Int(text) {
            guard n >= field.low, n <= field.high else {
                throw error(expression, "\(n) is outside the \(field.name) field's \(field.low)-\(field.high)")
            }
            return n
        }
        if let i = field.names.firstIndex(of: text.lowercased()) { return i + field.nameBase }
        let names = field.names.isEmpty ? "" : " or a name (\(field.names.map { $0.uppercased() }.joined(separator: ", ")))"
        throw error(expression, "'\(text)' is not a \(field.name) (a number \(field.low)-\(field.high)\(names))")
    }

    // MARK: matching

    func matches(_ t: CivilTime) -> Bool {
        minutes & (1 << UInt64(t.minute)) != 0 && hours & (1 << UInt64(t.hour)) != 0
            && months & (1 << UInt64(t.month)) != 0 && matchesDay(t)
    }

    func matchesDay(_ t: CivilTime) -> Bool {
        let dom = daysOfMonth & (1 << UInt64(t.day)) != 0
        let dow = daysOfWeek & (1 << UInt64(t.weekday)) != 0
        if dayOfMonthIsStar || dayOfWeekIsStar { return dom && dow }
        return dom || dow
    }
}
