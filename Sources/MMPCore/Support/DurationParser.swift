/// Parses human durations such as `30s`, `250ms`, `2h`, `1h30m`, `7d`, or a bare number of seconds.
public enum DurationParser {
    public static func seconds(_ text: String) throws -> Double {
        let trimmed = text.trimmed()
        if let plain = Double(trimmed) { return plain }
        var total = 0.0
        var number = ""
        var unit = ""
        var sawAny = false
        func flush() throws {
            guard !number.isEmpty else { throw bad(text) }
            guard let value = Double(number) else { throw bad(text) }
            let factor: Double
            switch unit {
            case "ms": factor = 0.001
            case "s", "sec": factor = 1
            case "m", "min": factor = 60
            case "h": factor = 3600
            case "d": factor = 86400
            default: throw bad(text)
            }
            total += value * factor
            number = ""; unit = ""; sawAny = true
        }
        for ch in trimmed {
            if ch.isNumber || ch == "." {
                if !unit.isEmpty { try flush() }
                number.append(ch)
            } else if ch.isLetter {
                unit.append(ch)
            } else {
                throw bad(text)
            }
        }
        if !number.isEmpty || !unit.isEmpty { try flush() }
        guard sawAny else { throw bad(text) }
        return total
    }

    private static func bad(_ text: String) -> MMPError {
        .invalidInput("'\(text)' is not a duration; expected a number with a unit such as 250ms, 30s, 5m, 2h or 7d")
    }
}

