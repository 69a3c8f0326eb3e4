import MMPCore
import MMPLearn
import MMPPostgres

/// The offline (training) join, executed in PostgreSQL: for each loaded row and each selected
/// view, the feature values of the latest feature row of the same entity whose timestamp is at
/// or before the row's timestamp, and not older than the view's TTL; missing when there is none.
/// A feature row stamped after the row is never used, so no feature can see the future.
///
/// The rows' keys and timestamps go to a temporary table by COPY; one query with a
/// `LEFT JOIN LATERAL (... ORDER BY ts DESC LIMIT 1)` per view returns the features in row order,
/// streamed into columns. With an index on (entity, timestamp) each lookup is one index probe.
struct PointInTimeJoin {
    let selections: [(view: FeatureView, features: [String])]
    let timestampColumn: String

    /// Entity columns in first-use order across the views.
    var entityColumns: [String] {
        var out: [String] = []
        for (view, _) in selections { for e in view.entities where !out.contains(e) { out.append(e) } }
        return out
    }

    /// The feature columns to append, in order, with the view each comes from.
    var outputs: [(view: FeatureView, feature: String)] {
        selections.flatMap { selection in selection.features.map { (selection.view, $0) } }
    }

    /// Checks names before anything runs: the rows have the key and timestamp columns, and no
    /// feature would overwrite a column or another feature.
    func check(_ rows: Table) throws {
        _ = try rows.require(timestampColumn, role: "timestamp column (data.fetcher.timestamp_column)")
        for (view, _) in selections {
            for entity in view.entities {
                _ = try rows.require(entity, role: "entity column '\(entity)' of feature view '\(view.name)'")
            }
        }
        var seen: [String: String] = [:]
        for (view, feature) in outputs {
            if rows.column(feature) != nil {
                throw MMPError(.invalidRecipe, "feature '\(feature)' of view '\(view.name)' has the name of a column the loaded rows already have; drop or rename that column in the SQL, or select the view's other features")
            }
            if let other = seen[feature] {
                throw MMPError(.invalidRecipe, "feature '\(feature)' is in both '\(other)' and '\(view.name)'; select it from one of them (feature_views: {\(view.name): [...]})")
            }
            seen[feature] = view.name
        }
    }

    /// The join query over `mmp_pit_rows(row_id, ts, k0, k1, ...)`; TTLs are bound parameters.
    func query() -> PostgresQuery {
        let keys = entityColumns
        var parameters: [String?] = []
        var select = ["r.row_id"]
        var joins: [String] = []
        var outputIndex = 0
        for (v, selection) in selections.enumerated() {
            let view = selection.view
            let alias = "v\(v)"
            let ts = "s." + SQLIdentifier.quote(view.timestampColumn)
            var conditions = view.entities.map { e in "s.\(SQLIdentifier.quote(e)) = r.k\(keys.firstIndex(of: e)!)" }
            conditions.append("\(ts) <= r.ts")
            if let ttl = view.ttl {
                parameters.append(PostgresText.format(ttl))
                conditions.append("\(ts) >= r.ts - $\(parameters.count)::float8 * interval '1 second'")
            }
            let columns = selection.features.map { "s.\(SQLIdentifier.quote($0))" }
            joins.append("""
                LEFT JOIN LATERAL (
                    SELECT \(columns.joined(separator: ", "))
                    FROM \(view.qualifiedTable) s
                    WHERE \(conditions.joined(separator: "\n      AND "))
                    ORDER BY \(ts) DESC
                    LIMIT 1
                ) \(alias) ON true
                """)
            for feature in selection.features {
                select.append("\(alias).\(SQLIdentifier.quote(feature)) AS f\(outputIndex)")
                outputIndex += 1
            }
        }
        let sql = "SELECT \(select.joined(separator: ", "))\nFROM mmp_pit_rows r\n\(joins.joined(separator: "\n"))\nORDER BY r.row_id"
        return PostgresQuery(sql, parameters: parameters, source: "the point-in-time join")
    }

    /// Runs the join for `rows` on `connection`; returns only the feature columns, in row order.
    func run(_ rows: Table, on connection: PostgresConnection, fetchSize: Int) throws -> [Column] {
        try check(rows)
        let schema = try SourceSchema.read(selections.map(\.view), on: connection)
        let keys = entityColumns
        let keyTypes = try keys.map { key in
            let view = selections.first { $0.view.entities.contains(key) }!.view
            return try schema.type(of: key, in: view)
        }
        for (view, features) in selections {
            _ = try schema.type(of: view.timestampColumn, in: view)
            for f in features { _ = try schema.type(of: f, in: view) }
        }

        let keyDefinitions = keyTypes.enumerated().map { ", k\($0.offset) \($0.element)" }.joined()
        try connection.execute("DROP TABLE IF EXISTS pg_temp.mmp_pit_rows")
        try connection.execute("CREATE TEMP TABLE mmp_pit_rows (row_id int8 NOT NULL, ts timestamptz\(keyDefinitions))")
        try upload(rows, keys: keys, to: connection)
        try connection.execute("ANALYZE mmp_pit_rows")

        var builder = PostgresTableBuilder(source: "the point-in-time join")
        try connection.stream(query(), fetchSize: fetchSize, into: &builder)
        let joined = try builder.table()
        try connection.execute("DROP TABLE pg_temp.mmp_pit_rows")

        guard joined.rowCount == rows.rowCount, let ids = joined.columns.first?.doubles,
              ids.enumerated().allSatisfy({ Double($0.offset) == $0.element }) else {
            throw MMPError(.internal, "the point-in-time join returned \(joined.rowCount) rows out of order for \(rows.rowCount) input rows")
        }
        return zip(outputs, joined.columns.dropFirst()).map { output, column in
            var renamed = column
            renamed.name = output.feature
            return renamed
        }
    }

    private func upload(_ rows: Table, keys: [String], to connection: PostgresConnection) throws {
        let timestamp = rows.column(timestampColumn)!
        if timestamp.kind == .numeric {
            throw MMPError.invalidData("the timestamp column '\(timestampColumn)' holds numbers; the point-in-time join needs dates or times (cast it to timestamptz in the SQL)")
        }
        let keyColumns = keys.map { rows.column($0)! }
        func cell(_ column: Column, _ row: Int) -> String? {
            if column.isMissing(row) { return nil }
            switch column.values {
            case .numeric(let v): return CSVWriter.format(v[row])
            case .timestamp(let v): return PostgresText.iso8601(v[row])
            case .categorical: return column.text(at: row)
            }
        }
        do {
            try connection.copyIn("COPY mmp_pit_rows (row_id, ts\(keys.indices.map { ", k\($0)" }.joined())) FROM STDIN") { writer in
                for row in 0..<rows.rowCount {
                    writer.field(String(row))
                    writer.field(cell(timestamp, row))
                    for column in keyColumns { writer.field(cell(column, row)) }
                    try writer.endRow()
                }
            }
        } catch let error as MMPError where error.kind == .sql {
            throw MMPError(.invalidData, "the loaded rows' keys or timestamps do not fit the feature tables' column types (entity columns \(keys.joined(separator: ", ")), timestamp column \(timestampColumn)): \(error.message)")
        }
    }
}

/// The columns and types of the views' source tables, read from the catalog.
struct SourceSchema {
    /// Table (as written) → column → SQL type text (`bigint`, `timestamp without time zone`).
    var tables: [String: [String: String]]

    static func read(_ views: [FeatureView], on connection: PostgresConnection) throws -> SourceSchema {
        var tables: [String: [String: String]] = [:]
        for view in views where tables[view.sourceName] == nil {
            let result = try connection.execute(PostgresQuery("""
                SELECT a.attname, format_type(a.atttypid, a.atttypmod)
                FROM pg_attribute a
                WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
                """, parameters: [view.qualifiedTable]))
            guard !result.rows.isEmpty else {
                throw MMPError(.invalidConfig, "feature view '\(view.name)' (\(view.file)) reads \(view.sourceName), which does not exist in database \(connection.options.database) on \(connection.options.host):\(connection.options.port); run scripts/sql/seed.sh or fix source")
            }
            var columns: [String: String] = [:]
            for row in result.rows { if let name = row[0], let type = row[1] { columns[name] = type } }
            tables[view.sourceName] = columns
        }
        return SourceSchema(tables: tables)
    }

    func type(of column: String, in view: FeatureView) throws -> String {
        let columns = tables[view.sourceName] ?? [:]
        if let type = columns[column] { return type }
        throw MMPError(.invalidConfig, "feature view '\(view.name)' (\(view.file)) names column '\(column)', which \(view.sourceName) does not have\(Suggestion.hint(for: column, in: columns.keys)) (columns: \(columns.keys.sorted().joined(separator: ", ")))")
    }
}
