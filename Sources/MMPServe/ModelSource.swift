import MMPArtifacts
import MMPCore
import MMPPipeline

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

/// Any model reference `mmp predict` takes (a path, `file://`, `runs:/`, `models:/name/version`,
/// `models:/name@alias`), through the pipeline's one resolver, `ModelLocator`.
public struct LocatedModelSource: ModelSource {
    public let uri: String
    let locator: ModelLocator

    public init(uri: String, locator: ModelLocator) {
        self.uri = uri
        self.locator = locator
    }

    public func revision() throws -> ModelRevision {
        let r = try locator.revision(uri)
        return ModelRevision(id: r.id, version: r.version)
    }

    /// An alias is pinned to the version it names first, so that the revision reported is the
    /// one loaded even if the alias moves in between.
    public func load() throws -> LoadedBundle {
        let (located, r) = try locator.load(try locator.revision(uri))
        return LoadedBundle(bundle: located.bundle, revision: ModelRevision(id: r.id, version: r.version),
                            sha256: located.sha256, bytes: located.bytes)
    }
}
