import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs row-range work on a few threads: the rows are cut into chunks whose boundaries depend on
/// the row count alone (so sums merged chunk by chunk give the same bits on any core count), and
/// each of `threads` workers takes the next unclaimed chunk. A core held by another process then
/// slows only the chunks it happens to take, instead of half of all the work; waiting workers
/// block in libdispatch, they never spin.
enum ParallelChunks {
    /// Chunk ranges covering `0..<count`, each about `size` rows (the last may be shorter).
    static func ranges(count: Int, size: Int) -> [Range<Int>] {
        guard count > 0 else { return [] }
        let size = max(1, size)
        return stride(from: 0, to: count, by: size).map { $0..<min(count, $0 + size) }
    }

    /// Calls `body(chunkIndex, rows)` once per chunk, on up to `threads` threads at a time.
    /// `body` must only write memory that belongs to its chunk.
    static func run(count: Int, chunkSize: Int, threads: Int, _ body: (Int, Range<Int>) -> Void) {
        let chunks = ranges(count: count, size: chunkSize)
        let workers = min(max(1, threads), chunks.count)
        if workers <= 1 {
            for (i, r) in chunks.enumerated() { body(i, r) }
            return
        }
        let next = ChunkCounter()
        withoutActuallyEscaping(body) { body in
            let work = ChunkBody(call: body)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let i = next.take()
                    if i >= chunks.count { return }
                    work.call(i, chunks[i])
                }
            }
        }
    }
}

/// Carries the caller's closure into libdispatch's `@Sendable` one. Unchecked because the
/// closure typically captures raw pointers; `run`'s contract (each chunk writes only its own
/// memory, and `run` returns only after every chunk is done) is what makes sharing it safe.
private struct ChunkBody: @unchecked Sendable {
    let call: (Int, Range<Int>) -> Void
}

/// Hands out chunk numbers to workers. A mutex rather than an atomic: Synchronization's Atomic
/// needs macOS 15 and a lock taken once per few thousand rows costs nothing measurable.
private final class ChunkCounter: @unchecked Sendable {
    // `mutex` serialises every access to `value`. It lives in its own allocation because a
    // pthread mutex must not move, and Swift gives no stable address to a stored property.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value = 0

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func take() -> Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let v = value
        value += 1
        return v
    }
}
