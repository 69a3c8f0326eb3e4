/// Writes a `Table` as CSV (RFC 4180): a header row, fields quoted only when they must be.
public enum CSVWriter {
    public static func write(_ table: Table) -> String {
        var out = table.columnNames.map(quote).joined(separator: ",") + "\n"
        out.reserveCapacity(table.rowCount * table.columns.count * 8)
        for row in 0..<table.rowCount {
            var first = true
            for column in table.columns {
                if !first { out += "," }
                first = false
                out += quote(column.text(at: row))
            }
            out += "\n"
        }
        return out
    }

    static func quote(_ field: String) -> String {
        let needs = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || field.first == " " || field.last == " "
        guard needs else { return field }
        return "\"" + field.replacing("\"", with: "\"\"") + "\""
    }

    /// A number as short text: integers without a fraction, others in Swift's shortest exact form.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
