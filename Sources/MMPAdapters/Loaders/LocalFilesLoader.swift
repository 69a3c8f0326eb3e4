import Foundation
import MMPConfig
import MMPCore
import MMPLearn
import MMPParquet

/// Loader `local_files`: CSV and Parquet files under `adapters.local_files.base_path`.
///
/// A `.parquet` source is read in pure Swift (MMPParquet), only the columns the recipe uses;
/// anything else is read as CSV, streamed (never whole in memory).
public struct LocalFilesLoader: DataLoader {
    public let basePath: String

    public init(basePath: String) { self.basePath = basePath }

    public init(config: AppConfig) throws {
        basePath = try config.string(at: "adapters.local_files.base_path") ?? "."
    }

    public func load(_ request: LoadRequest) throws -> Table {
        let uri = request.sourceURI
        if SQLSource.isSQL(uri) {
            throw MMPError(.invalidConfig, "\(uri) is a SQL file, but this environment's loader is local_files (CSV and Parquet files); use an environment whose data_adapters.loader is postgresql (APP_ENV=dev)")
        }
        let path = try resolve(uri, recipeDirectory: request.recipeDirectory)
        return try LocalFilesLoader.read(path: path, columns: request.columns)
    }

    /// A data file by its extension: Parquet (the columns named that the file has, all when nil),
    /// else CSV.
    public static func read(path: String, columns: [String]? = nil) throws -> Table {
        guard isParquet(path) else { return try CSVReader(source: path).read(path: path) }
        let reader = try ParquetReader(path: path)
        let present = columns.map { names in names.filter(reader.columnNames.contains) }
        return try reader.read(columns: present)
    }

    public static func isParquet(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".parquet") || lower.hasSuffix(".pq")
    }

    /// Reads only the header row (CSV) or the footer (Parquet).
    public func columnNames(_ request: LoadRequest) throws -> [String]? {
        guard !SQLSource.isSQL(request.sourceURI) else { return nil }
        let path = try resolve(request.sourceURI, recipeDirectory: request.recipeDirectory)
        if LocalFilesLoader.isParquet(path) { return try ParquetReader(path: path).columnNames }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw MMPError.io("cannot read \(path)") }
        defer { try? handle.close() }
        var head = [UInt8]()
        // A header longer than 1 MiB is not a header we can check cheaply.
        while head.count < 1 << 20, !head.contains(0x0A) {
            guard let chunk = try handle.read(upToCount: 65536), !chunk.isEmpty else { break }
            head += chunk
        }
        let firstLine = head.split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: false).first.map(Array.init) ?? []
        return try CSVReader(source: path).read(bytes: firstLine + [0x0A]).columnNames
    }

    /// Absolute paths as given; relative ones under the base path, then under the recipe's folder.
    func resolve(_ uri: String, recipeDirectory: String?) throws -> String {
        var path = uri
        if path.hasPrefix("file://") { path = String(path.dropFirst(7)) }
        var candidates: [String] = []
        if path.hasPrefix("/") { candidates = [path] } else {
            candidates.append(basePath == "." ? path : "\(basePath)/\(path)")
            if let dir = recipeDirectory, !dir.isEmpty { candidates.append("\(dir)/\(path)") }
        }
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate) { return candidate }
        throw MMPError.notFound("data file \(uri) not found (looked at \(candidates.joined(separator: ", ")))")
    }
}
