import Foundation
import MMPArtifacts
import MMPCore

/// Which bundle a model URI points at: a checksum for a file, a registry version for
/// `models:/name@alias`. Equal revisions are the same model, so a poll that finds the same
/// revision loads nothing.
public struct ModelRevision: Sendable, Equatable {
    public var id: String
    /// The registry's version, when the URI names a registered model.
    public var version: String?

    public init(id: String, version: String? = nil) { self.id = id; self.version = version }

    /// What `/ready` calls the version: the registry's, else the checksum's first 12 digits.
    public var label: String { version ?? String(id.prefix(12)) }
}

/// A bundle as loaded, with where it came from.
public struct LoadedBundle: Sendable {
    public var bundle: ModelBundle
    public var revision: ModelRevision
    /// SHA-256 of the whole bundle file (what `mmp train --json` reports as the artifact's sha256).
    public var sha256: String
    public var bytes: Int
}

/// Where `mmp serve` gets its model. A source is asked cheaply and often what it points at now
/// (`revision`), and loads only when that changed (hot swap).
public protocol ModelSource: Sendable {
    /// The URI as the user gave it.
    var uri: String { get }
    /// What the URI points at now, without loading the bundle.
    func revision() throws -> ModelRevision
    /// The bundle the URI points at now, its checksum and format version verified.
    func load() throws -> LoadedBundle
}

public enum ModelSources {
    /// The source for a `--model` URI: a path or `file://` URI today. `runs:/` and `models:/`
    /// URIs come with MLflow tracking (issue 10) through the pipeline's shared resolver.
    public static func make(_ uri: String) throws -> any ModelSource {
        if uri.hasPrefix("runs:/") || uri.hasPrefix("models:/") {
            throw MMPError.invalidInput("--model \(uri): MLflow model URIs (runs:/, models:/) need the MLflow tracking support, which this build does not have yet; give a bundle path or file:// URI")
        }
        if let scheme = uri.range(of: "://"), !uri.hasPrefix("file://") {
            throw MMPError.invalidInput("--model \(uri): unknown URI scheme '\(uri[..<scheme.lowerBound])'; give a bundle path or file:// URI")
        }
        return FileModelSource(uri: uri)
    }
}

/// A bundle file, loaded the way `mmp predict --model` loads it. Its revision is the body
/// checksum in the bundle's header (52 bytes read), so polling a large bundle costs nothing; a
/// file replaced by a rename (or overwritten in place) is noticed on the next poll or SIGHUP.
public struct FileModelSource: ModelSource {
    public let uri: String
    public let path: String

    public init(uri: String) {
        self.uri = uri
        path = uri.hasPrefix("file://") ? String(uri.dropFirst(7)) : uri
    }

    public func revision() throws -> ModelRevision {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw MMPError.notFound("no model bundle at \(path)") }
        defer { try? handle.close() }
        let header = [UInt8](try handle.read(upToCount: 52) ?? Data())
        guard header.count == 52, header.starts(with: Array("MMPBNDL".utf8) + [0]) else {
            throw MMPError.corrupt("\(path) is not an mmp model bundle (or is still being written)")
        }
        return ModelRevision(id: header[20..<52].hexString)
    }

    public func load() throws -> LoadedBundle {
        guard let data = FileManager.default.contents(atPath: path) else { throw MMPError.notFound("no model bundle at \(path)") }
        let bytes = [UInt8](data)
        let bundle = try BundleCodec.decode(bytes, source: path)
        return LoadedBundle(bundle: bundle, revision: ModelRevision(id: bytes[20..<52].hexString),
                            sha256: SHA256.hex(bytes), bytes: bytes.count)
    }
}
