#if canImport(Glibc)
import Glibc
#endif

/// Runs a closure on a new pthread (a second actor in a test: a pusher, a migration, an interrupt).
public final class ThreadBox: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: () -> Void

    public init(_ body: @escaping () -> Void) {
        self.body = body
        let unmanaged = Unmanaged.passRetained(self)
        pthread_create(&thread, nil, { raw in
            let box = Unmanaged<ThreadBox>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, unmanaged.toOpaque())
    }

    public func join() { pthread_join(thread, nil) }
}
