import MMPCore

/// Drops rows or columns with too many missing values.
///
/// `axis: rows` drops, while training, each row whose share of missing cells among the step's
/// columns is above `threshold` (0 drops a row with any missing cell); rows to predict are
/// never dropped, since each needs a prediction. `axis: columns` drops, at fit, each column
/// whose share of missing training cells is above `threshold`, and drops the same columns from
/// every later table.
struct DropMissing: PreprocessingStep {
    var byColumns: Bool
    var threshold: Double

    init(_ options: StepOptions) {
        byColumns = options.string("axis") == "columns"
        threshold = options.double("threshold")
    }

    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        let selected = try table.requireAll(columns, step: "drop_missing")
        var dropped: [String] = []
        if byColumns {
            let n = Double(max(table.rowCount, 1))
            dropped = selected.filter { Double($0.missingCount) / n > threshold }.map(\.name)
        }
        return FittedDropMissing(byColumns: byColumns, threshold: threshold, columns: columns, droppedColumns: dropped)
    }
}

struct FittedDropMissing: FittedTransform {
    static let typeName = "drop_missing.v1"
    var byColumns: Bool
    var threshold: Double
    var columns: [String]
    var droppedColumns: [String]

    init(byColumns: Bool, threshold: Double, columns: [String], droppedColumns: [String]) {
        self.byColumns = byColumns; self.threshold = threshold; self.columns = columns; self.droppedColumns = droppedColumns
    }

    func transform(_ table: Table, mode: TransformMode) throws -> Table {
        if byColumns {
            var t = table
            for name in droppedColumns { t.remove(name) }
            return t
        }
        guard mode == .training, !columns.isEmpty else { return table }
        let selected = try table.requireAll(columns, step: "drop_missing")
        let width = Double(selected.count)
        let keep = (0..<table.rowCount).filter { row in
            Double(selected.reduce(0) { $0 + ($1.isMissing(row) ? 1 : 0) }) / width <= threshold
        }
        return keep.count == table.rowCount ? table : table.selecting(rows: keep)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(byColumns)
        writer.write(threshold)
        writer.write(columns)
        writer.write(droppedColumns)
    }

    init(from reader: inout ByteReader) throws {
        byColumns = try reader.readBool()
        threshold = try reader.readDouble()
        columns = try reader.readStrings()
        droppedColumns = try reader.readStrings()
    }
}
