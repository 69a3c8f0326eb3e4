import Foundation
import MMPConfig
import MMPCore
import MMPLearn

/// Loader `local_files`: CSV files under `adapters.local_files.base_path`.
public struct LocalFilesLoader: DataLoader {
    public let basePath: String

    public init(basePath: String) { self.basePath = basePath }

    public init(config: AppConfig) throws {
        basePath = try config.string(at: "adapters.local_files.base_path") ?? "."
    }

    public func load(_ request: LoadRequest) throws -> Table {
        let uri = request.sourceURI
        guard !request.sourceURI.lowercased().hasSuffix(".sql") else {
            throw MMPError(.invalidConfig, "\(uri) is a SQL file, but this environment's loader is local_files (CSV); use an environment whose data_adapters.loader is postgresql (APP_ENV=dev)")
        }
        let path = try resolve(uri, recipeDirectory: request.recipeDirectory)
        return try CSVReader(source: path).read(path: path)
    }

    /// Reads only the header row.
    public func columnNames(_ request: LoadRequest) throws -> [String]? {
        guard !request.sourceURI.lowercased().hasSuffix(".sql") else { return nil }
        let path = try resolve(request.sourceURI, recipeDirectory: request.recipeDirectory)
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
