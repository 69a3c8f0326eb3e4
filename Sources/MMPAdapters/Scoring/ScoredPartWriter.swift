#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MMPConfig
import MMPCore
import MMPLearn
import MMPPostgres

/// Writes one scored shard to its sink, so that a shard run twice (a retry, a worker killed
/// after the write and before its verdict) leaves its rows there once.
public enum ScoredPartWriter {
    /// Writes `table` for `shard` (1-based) of job `jobID`; returns where it went.
    public static func write(_ table: Table, shard: Int, jobID: String, sink: ScoringSink, config: AppConfig?) throws -> String {
        switch sink {
        case .folder(let folder):
            return try writeFile(table, folder: folder, shard: shard, jobID: jobID)
        case .postgres(let name):
            guard let config else { throw MMPError(.invalidConfig, "writing to postgresql:\(name) needs the environment's config") }
            try writeTable(table, table: name, shard: shard, jobID: jobID, options: try PostgresSettings.options(config: config))
            return "postgresql:\(name) shard \(shard)"
        }
    }

    /// A temporary file, then rename(2): the part appears whole or not at all, and a second run
    /// replaces it with the same rows.
    static func writeFile(_ table: Table, folder: String, shard: Int, jobID: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let final = (folder as NSString).appendingPathComponent(ScoringSink.partName(shard))
        let temporary = final + ".tmp-\(getpid())"
        let text = CSVWriter.write(table)
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw MMPError.io("cannot write \(temporary) (is \(folder) writable?)")
        }
        guard rename(temporary, final) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw MMPError.io("cannot move \(temporary) to \(final): \(reason)")
        }
        return final
    }

    /// One transaction: create the table when missing, delete this job's rows of this shard,
    /// COPY the new ones. The `shard` column (after the Python tool's columns) is what makes the
    /// delete exact.
    public static func writeTable(_ table: Table, table name: String, shard: Int, jobID: String, options: PostgresConnectionOptions) throws {
        let connection = try PostgresConnection(options)
        defer { connection.close() }
        let columns = table.columns.map { column -> String in
            let type: String
            switch column.values {
            case .numeric: type = "double precision"
            case .timestamp: type = "timestamptz"
            case .categorical: type = "text"
            }
            return "\(quoted(column.name)) \(type)"
        } + ["\"shard\" integer"]
        // Two shards creating the table at once: one wins, the other's error is a duplicate
        // type or relation; the table is there either way.
        do {
            try connection.execute("CREATE TABLE IF NOT EXISTS \(name) (\(columns.joined(separator: ", ")))")
        } catch let error as MMPError where error.message.contains("already exists") || error.message.contains("duplicate key") {
        }
        try connection.execute("BEGIN")
        do {
            try connection.execute(PostgresQuery("DELETE FROM \(name) WHERE job_id = $1 AND shard = $2", parameters: [jobID, String(shard)]))
            let names = (table.columnNames + ["shard"]).map(quoted).joined(separator: ", ")
            let shardText = String(shard)
            try connection.copyIn("COPY \(name) (\(names)) FROM STDIN") { writer in
                for row in 0..<table.rowCount {
                    for column in table.columns {
                        if column.isMissing(row) { writer.field(nil); continue }
                        switch column.values {
                        case .timestamp(let v): writer.field(Timestamp.iso8601(v[row]))
                        default: writer.field(column.text(at: row))
                        }
                    }
                    writer.field(shardText)
                    try writer.endRow()
                }
            }
            try connection.execute("COMMIT")
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacing("\"", with: "\"\"") + "\"" }
}
