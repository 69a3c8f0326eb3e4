import Foundation
import MMPAdapters
import MMPCore
import MMPLearn
import MMPTestSupport
import Testing

/// The `local_files` loader on real files: CSV streamed in blocks from disk, Parquet by its
/// extension with only the recipe's columns.
@Suite struct LocalFilesTests {
    let fixtures = "\(TestEnvironment.repoRoot)/Tests/MMPParquetTests/Fixtures"

    @Test func aCSVFileStreamsToTheSameTableAsItsBytes() throws {
        var text = "id,name,note,amount\n"
        for r in 0..<5_000 {
            let note = r % 7 == 0 ? "\"two\nlines, \"\"quoted\"\"\"" : "n\(r % 13)"
            text += "\(r),name \(r % 17),\(note),\(r % 5 == 0 ? "" : "\(Double(r) / 8)")\n"
        }
        let directory = try TestEnvironment.temporaryDirectory("mmp-local-files")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/rows.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var reader = CSVReader(source: path, threads: 2)
        reader.blockSize = 8192  // many blocks, each cut at a record boundary outside quotes
        let streamed = try reader.read(path: path)
        let whole = try CSVReader(source: path).read(text)
        #expect(streamed.rowCount == 5_000)
        #expect(streamed.columnNames == whole.columnNames)
        for (a, b) in zip(streamed.columns, whole.columns) {
            #expect(a.kind == b.kind)
            #expect((0..<whole.rowCount).allSatisfy { a.text(at: $0) == b.text(at: $0) }, "\(a.name)")
        }
        #expect(streamed.column("note")?.text(at: 0) == "two\nlines, \"quoted\"")
    }

    @Test func parquetSourcesReadOnlyTheColumnsAsked() throws {
        let loader = LocalFilesLoader(basePath: fixtures)
        let request = LoadRequest(sourceURI: "churn.parquet", columns: ["customer", "segment", "churned", "joined_later"])
        let table = try loader.load(request)
        // The file's order; a name the file lacks is left for the pipeline to report.
        #expect(table.columnNames == ["customer", "segment", "churned"])
        #expect(table.rowCount == 400)
        #expect(try loader.columnNames(LoadRequest(sourceURI: "churn.parquet")) == ["customer", "a", "b", "visits", "segment", "churned"])
        #expect(try loader.load(LoadRequest(sourceURI: "churn.parquet")).columns.count == 6)
    }

    @Test func aSQLSourceInAFilesEnvironmentSaysWhichLoaderItNeeds() {
        for uri in ["q.sql", "q.sql.j2"] {
            let error = caught { _ = try LocalFilesLoader(basePath: ".").load(LoadRequest(sourceURI: uri)) }
            #expect(error?.message.contains("postgresql") == true, "\(uri)")
        }
    }
}
