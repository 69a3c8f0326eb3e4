import MMPAdapters
import MMPCore
import MMPLearn
import NIOPosix
import Synchronization

/// The online feature lookups of one served model: readers that each keep a Redis connection,
/// lent to one lookup at a time, and the threads they block on (hiredis calls are blocking, so
/// they stay off the threads that run the server's async work).
public final class OnlineFeatures: Sendable {
    /// The entity columns the views are keyed by, and the features they provide.
    public let keys: [String]
    public let provided: [String]
    public let request: FeatureRequest
    private let store: any FeatureStore
    private let idle: Mutex<[OnlineFeatureReader]>
    private let threads: NIOThreadPool

    init(store: any FeatureStore, request: FeatureRequest, threads: NIOThreadPool) throws {
        let first = try store.onlineReader(for: request)
        self.store = store
        self.request = request
        self.threads = threads
        keys = first.keys
        provided = first.provided
        idle = Mutex([first])
    }

    /// The entities with their features; entities the store does not have are listed.
    func lookup(_ entities: Table) async throws -> OnlineLookup {
        try await threads.runIfActive { [self] in
            let reader = try idle.withLock { $0.popLast() } ?? store.onlineReader(for: request)
            defer { idle.withLock { $0.append(reader) } }
            return try reader.lookup(entities)
        }
    }

    deinit {
        idle.withLock { readers in for reader in readers { reader.close() } }
    }
}
