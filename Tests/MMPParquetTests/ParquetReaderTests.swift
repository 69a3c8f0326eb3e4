import Foundation
import MMPCore
import MMPLearn
import Testing
@testable import MMPParquet

/// Files written by pyarrow (scripts/reference/parquet_fixtures.py) read back to the values
/// pyarrow itself reads (expected.json), whatever the codec, encoding and page version.
@Suite struct ParquetReaderTests {
    static let fixtures = Bundle.module.resourcePath! + "/Fixtures"

    struct Expected {
        var rows: Int
        var columns: JSONObject
    }

    /// Read with mmp's JSON parser: Foundation's does not round every decimal correctly.
    static func expected() throws -> Expected {
        let text = try String(contentsOfFile: fixtures + "/expected.json", encoding: .utf8)
        let object = try JSON.parse(text)
        return Expected(rows: object["rows"]!.intValue!, columns: object["columns"]!.objectValue!)
    }

    @Test(arguments: ["plain_uncompressed", "dictionary_snappy", "dictionary_gzip_v2", "plain_zstd_v2", "delta_zstd"])
    func readsWhatPyarrowWrote(_ name: String) throws {
        let expected = try Self.expected()
        let reader = try ParquetReader(path: "\(Self.fixtures)/\(name).parquet")
        #expect(reader.rowGroupCount == 3)
        let table = try reader.read(threads: 2)
        #expect(table.rowCount == expected.rows)
        #expect(table.columnNames == ["id", "i32", "u8", "f32", "f64", "flag", "city", "note", "day", "ts", "ts_ms"])
        #expect(table.column("ts")?.kind == .timestamp)
        #expect(table.column("day")?.kind == .timestamp)
        #expect(table.column("city")?.kind == .categorical)
        #expect(table.column("flag")?.kind == .numeric)
        for column in table.columns {
            let want = expected.columns[column.name]!.arrayValue!
            var mismatches: [String] = []
            for row in 0..<table.rowCount {
                let value = want[row]
                if value.isNull {
                    if !column.isMissing(row) { mismatches.append("row \(row): expected null, got \(column.text(at: row))") }
                } else if let text = value.stringValue {
                    if column.isMissing(row) || column.text(at: row) != text { mismatches.append("row \(row): expected '\(text)', got '\(column.text(at: row))'") }
                } else {
                    let number = value.doubleValue!
                    let got = column.doubles?[row] ?? .nan
                    if got != number { mismatches.append("row \(row): expected \(number), got \(got)") }
                }
            }
            #expect(mismatches.isEmpty, "\(name) column \(column.name): \(mismatches.prefix(3))")
        }
    }

    @Test func readsOnlyTheColumnsAsked() throws {
        let reader = try ParquetReader(path: "\(Self.fixtures)/dictionary_snappy.parquet")
        let table = try reader.read(columns: ["note", "id"])
        #expect(table.columnNames == ["id", "note"])  // the file's order
        let missing = #expect(throws: MMPError.self) { try reader.read(columns: ["nope"]) }
        #expect(missing?.message.contains("has no column 'nope'") == true)
    }

    @Test func oneThreadAndTwoGiveTheSameTable() throws {
        let reader = try ParquetReader(path: "\(Self.fixtures)/dictionary_gzip_v2.parquet")
        let a = try reader.read(threads: 1), b = try reader.read(threads: 2)
        for (x, y) in zip(a.columns, b.columns) {
            #expect((0..<a.rowCount).allSatisfy { x.text(at: $0) == y.text(at: $0) }, "\(x.name)")
        }
    }

    @Test func nestedColumnsAreAClearError() throws {
        let path = "\(Self.fixtures)/nested.parquet"
        let reader = try ParquetReader(path: path)
        #expect(try reader.read(columns: ["id"]).rowCount == 2)
        let error = #expect(throws: MMPError.self) { try reader.read() }
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains("is nested") == true)
    }

    @Test func anUnsupportedCodecIsAClearError() throws {
        let path = "\(Self.fixtures)/lz4.parquet"
        let error = #expect(throws: MMPError.self) { try ParquetReader(path: path).read() }
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains("LZ4") == true)
    }

    @Test func garbageIsAClearErrorNotACrash() throws {
        let directory = NSTemporaryDirectory()
        let path = directory + "/garbage-\(UInt64.random(in: 0...UInt64.max)).parquet"
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A real file cut short, then one with its footer bytes scrambled.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/dictionary_snappy.parquet")))
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: path))
        #expect(throws: MMPError.self) { try ParquetReader(path: path).read() }
        var rng = SeededGenerator(seed: UInt64(3))
        for k in 0..<200 { bytes[bytes.count - 9 - Int(rng.next() % 300)] = UInt8(truncatingIfNeeded: rng.next() &+ UInt64(k)) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try ParquetReader(path: path).read()
        } catch let error as MMPError {
            #expect(error.message.contains(path))
        }
    }

    @Test func theWriterRoundTripsThroughTheReader() throws {
        let original = try Table(columns: [
            .numeric("x", [1.5, .nan, -3, 1e300]),
            .categorical("s", ["a", nil, "b", "a"]),
            .timestamp("t", [0, 1_700_000_000.25, .nan, 86_400]),
        ])
        let path = NSTemporaryDirectory() + "/roundtrip-\(UInt64.random(in: 0...UInt64.max)).parquet"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(try ParquetWriter.data(original, rowGroupSize: 3)).write(to: URL(fileURLWithPath: path))
        let back = try ParquetReader(path: path).read()
        #expect(back.columnNames == ["x", "s", "t"])
        for (a, b) in zip(original.columns, back.columns) {
            #expect(a.kind == b.kind)
            #expect((0..<4).allSatisfy { a.text(at: $0) == b.text(at: $0) }, "\(a.name)")
        }
    }
}
