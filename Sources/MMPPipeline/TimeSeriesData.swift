import MMPConfig
import MMPCore
import MMPLearn

/// The rows of a timeseries recipe as series: grouped by entity key (one series without entity
/// columns), each in time order, with the target and the recipe's own feature columns.
struct TimeSeriesData {
    struct Series {
        var key: String
        /// Row indices into the table, in time order.
        var rows: [Int]
        var times: [Double]
        var values: [Double]
    }

    var table: Table
    var timestampColumn: String
    var target: String
    var entities: [String]
    var series: [Series]
    var droppedRows: Int

    /// Entity key of a row: the entity columns' texts joined by the unit separator.
    static func key(_ table: Table, row: Int, entities: [Column]) -> String {
        entities.map { $0.text(at: row) }.joined(separator: "\u{1F}")
    }

    /// Groups and orders the rows. Rows without a timestamp or target cannot be placed or learned
    /// from and are dropped (counted); two rows of one series at the same time are an error.
    init(table input: Table, timestampColumn: String, target: String, entities: [String], requireTarget: Bool = true) throws {
        var table = input
        let stamp = try PredictPipeline.align(try table.require(timestampColumn, role: "timestamp column"), to: .timestamp)
        try table.set(stamp)
        let times = stamp.doubles!
        let targetColumn = table.column(target)
        if let targetColumn, targetColumn.kind == .categorical, targetColumn.missingCount < targetColumn.count {
            throw MMPError.invalidData("target column '\(target)' holds text; a time series needs a numeric target")
        }
        let values = targetColumn?.doubles ?? [Double](repeating: .nan, count: table.rowCount)
        let entityColumns = try entities.map { try table.require($0, role: "entity column") }
        var groups: [String: Int] = [:]
        var series: [Series] = []
        var dropped = 0
        for row in 0..<table.rowCount {
            if times[row].isNaN || (requireTarget && values[row].isNaN) { dropped += 1; continue }
            let key = TimeSeriesData.key(table, row: row, entities: entityColumns)
            if let g = groups[key] {
                series[g].rows.append(row)
            } else {
                groups[key] = series.count
                series.append(Series(key: key, rows: [row], times: [], values: []))
            }
        }
        for g in series.indices {
            series[g].rows.sort { times[$0] < times[$1] || (times[$0] == times[$1] && $0 < $1) }
            series[g].times = series[g].rows.map { times[$0] }
            series[g].values = series[g].rows.map { values[$0] }
            for i in series[g].times.indices.dropFirst() where series[g].times[i] == series[g].times[i - 1] {
                let name = series[g].key.isEmpty ? "the series" : "series '\(series[g].key.replacing("\u{1F}", with: ", "))'"
                throw MMPError.invalidData("\(name) has two rows at \(Timestamp.iso8601(series[g].times[i])) (rows \(series[g].rows[i - 1] + 1) and \(series[g].rows[i] + 1)); a time series holds one observation per time\(entities.isEmpty ? " (list the entity columns that tell the series apart under data.data_interface.entity_columns)" : "")")
            }
        }
        self.table = table
        self.timestampColumn = timestampColumn
        self.target = target
        self.entities = entities
        self.series = series
        droppedRows = dropped
    }

    /// Splits a series' positions by row membership.
    func positions(of s: Series, in rows: Set<Int>) -> [Int] { s.rows.indices.filter { rows.contains(s.rows[$0]) } }
}
