import Foundation
import MMPArtifacts
import MMPCore
import MMPTracking

extension ModelLocator {
    /// What a reference points at now, found without downloading the bundle: for a server that
    /// reloads when it changes (`mmp serve`).
    public struct Revision: Sendable, Equatable {
        /// Equal ids are the same bundle.
        public var id: String
        /// The registry's version number, for `models:/` references.
        public var version: String?
        /// A reference that names this revision and nothing else (an alias pinned to its version).
        public var pinned: String
    }

    /// A file: its body checksum, from the 52-byte header. `models:/name@alias`: the version the
    /// alias names now (one registry call). Versions, runs and logged models never move.
    public func revision(_ reference: String) throws -> Revision {
        let uri = try ModelURI(reference)
        switch uri {
        case .file(let path):
            guard let handle = FileHandle(forReadingAtPath: path) else { throw MMPError.notFound("no model bundle at \(path)") }
            defer { try? handle.close() }
            let header = [UInt8](try handle.read(upToCount: 52) ?? Data())
            guard header.count == 52, header.starts(with: Array("MMPBNDL".utf8) + [0]) else {
                throw MMPError.corrupt("\(path) is not an mmp model bundle (or is still being written)")
            }
            return Revision(id: header[20..<52].hexString, version: nil, pinned: reference)
        case .registeredAlias(let name, let alias):
            let version = try mlflowClient(for: uri).modelVersion(name: name, alias: alias)
            return Revision(id: "models:/\(name)/\(version.version)", version: version.version, pinned: "models:/\(name)/\(version.version)")
        case .registeredVersion(_, let version):
            return Revision(id: uri.description, version: version, pinned: reference)
        case .run, .loggedModel:
            return Revision(id: uri.description, version: nil, pinned: reference)
        }
    }

    /// Loads the bundle a revision names (an alias pinned to its version, so that what is
    /// loaded is what was reported); for a file, the revision of the bytes actually read (it
    /// may have been replaced since `revision` looked).
    public func load(_ revision: Revision) throws -> (located: Located, revision: Revision) {
        let (bytes, resolved) = try fetch(revision.pinned)
        let bundle = try BundleCodec.decode(bytes, source: revision.pinned)
        var loaded = revision
        if case .file = try ModelURI(revision.pinned), bytes.count >= 52 { loaded.id = bytes[20..<52].hexString }
        return (Located(bundle: bundle, reference: revision.pinned, resolved: resolved, sha256: SHA256.hex(bytes), bytes: bytes.count), loaded)
    }
}
