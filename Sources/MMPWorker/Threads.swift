#if canImport(Glibc)
import Glibc
#endif
import MMPRedis

/// A joinable pthread running a closure (no Foundation, no Dispatch: the worker's threads are
/// few and long-lived, and blocking Redis calls must not sit on the cooperative pool).
final class WorkerThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: () -> Void

    init(_ body: @escaping () -> Void) {
        self.body = body
        let unmanaged = Unmanaged.passRetained(self)
        let rc = pthread_create(&thread, nil, { raw in
            let me = Unmanaged<WorkerThread>.fromOpaque(raw!).takeRetainedValue()
            me.body()
            return nil
        }, unmanaged.toOpaque())
        precondition(rc == 0, "pthread_create failed: \(rc)")
    }

    func join() { pthread_join(thread, nil) }
}

/// Sleeps in steps of at most 50 ms until `seconds` passed or `stop()` is true.
func sleep(_ seconds: Double, unless stop: () -> Bool) {
    let until = monotonic() + seconds
    while !stop() {
        let left = until - monotonic()
        if left <= 0 { return }
        Backoff.sleep(min(0.05, left))
    }
}

func monotonic() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
