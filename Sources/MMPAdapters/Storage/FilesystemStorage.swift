import Foundation
import MMPArtifacts
import MMPConfig
import MMPCore

/// Storage `filesystem`: bundles under `adapters.filesystem.root`, as
/// `<root>/<recipe>/<UTC time>-<job or random id>.mmpb`.
public struct FilesystemStorage: ArtifactStorage {
    public let root: String

    public init(root: String) throws {
        self.root = FilesystemStorage.absolute(root)
    }

    public init(config: AppConfig) throws {
        try self.init(root: try config.string(at: "adapters.filesystem.root") ?? "./artifacts")
    }

    public func store(_ bytes: [UInt8], recipe: String, jobID: String?) throws -> StoredArtifact {
        let folder = "\(root)/\(FilesystemStorage.safeName(recipe))"
        let stamp = Timestamp.iso8601(Timestamp.now()).replacing(":", with: "").replacing("-", with: "").replacing(".", with: "")
        let id = FilesystemStorage.safeName(jobID ?? String(UInt32.random(in: 0...UInt32.max), radix: 16))
        let path = "\(folder)/\(stamp)-\(id).mmpb"
        try ensureInsideRoot(path)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            // Write then rename, so a reader never sees half a bundle.
            let temporary = "\(path).partial"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
                throw MMPError.io("cannot write \(temporary)")
            }
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch let error as MMPError {
            throw error
        } catch {
            throw MMPError.io("cannot store the bundle under \(folder): \(error.localizedDescription)")
        }
        return StoredArtifact(uri: "file://\(path)", sha256: SHA256.hex(bytes), bytes: bytes.count)
    }

    public func fetch(_ uri: String) throws -> [UInt8] {
        let path = uri.hasPrefix("file://") ? String(uri.dropFirst(7)) : uri
        guard let data = FileManager.default.contents(atPath: path) else { throw MMPError.notFound("no artifact at \(path)") }
        return [UInt8](data)
    }

    /// A recipe or job name as one safe path component: ASCII letters, digits, `.`, `_`, `-`;
    /// no leading dot and no `..`; never empty; at most 80 characters.
    public static func safeName(_ name: String) -> String {
        var out = ""
        for ch in name.unicodeScalars {
            if ch == ".", out.hasSuffix(".") || out.hasSuffix("-") {
                continue  // no ".." anywhere, even where it could not traverse
            } else if (ch.properties.isAlphabetic && ch.isASCII) || ("0"..."9").contains(ch) || ch == "_" || ch == "-" || ch == "." {
                out.unicodeScalars.append(ch)
            } else if !out.hasSuffix("-") {
                out += "-"
            }
        }
        while out.hasPrefix(".") || out.hasPrefix("-") { out.removeFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        if out.count > 80 { out = String(out.prefix(80)) }
        return out.isEmpty ? "recipe" : out
    }

    private func ensureInsideRoot(_ path: String) throws {
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        guard standardized.hasPrefix(root + "/") else {
            throw MMPError.invalidInput("refusing to write \(standardized): outside the storage root \(root)")
        }
    }

    static func absolute(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
        var s = url.standardizedFileURL.path
        while s.count > 1, s.hasSuffix("/") { s.removeLast() }
        return s
    }
}
