#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed set of threads that run the tasks of one parallel loop at a time.
///
/// Idle threads sleep on a condition variable; nothing ever spins. A worker shares its machine
/// (design §3.11, issue 5): a spinning pool such as OpenMP's default turns one busy neighbour
/// into a stall of every parallel step, while a sleeping one just loses that core. Tasks are
/// handed out one at a time under the lock (dynamic scheduling), so a thread that shares its
/// core with another process simply takes fewer tasks instead of holding the others back.
///
/// The calling thread takes part in each loop, so a pool of `threads` runs `threads - 1`
/// extra threads. One pool lives for one fit; `deinit` stops and joins its threads.
public final class WorkerPool: @unchecked Sendable {
    /// Number of threads that run tasks, the caller included.
    public let width: Int
    private let shared: PoolState
    private var threads: [pthread_t] = []

    public init(threads: Int) {
        shared = PoolState()
        var started: [pthread_t] = []
        for worker in 1..<max(1, threads) {
            // The thread holds the state strongly, never the pool: the pool's deinit must run to
            // tell the threads to stop.
            let context = Unmanaged.passRetained(WorkerStart(state: shared, worker: worker)).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                let start = Unmanaged<WorkerStart>.fromOpaque(raw!).takeRetainedValue()
                start.state.workerLoop(worker: start.worker)
                return nil
            }, context)
            if rc == 0 {
                started.append(thread)
            } else {
                // Fewer threads still finish the work: the caller runs whatever is left.
                Unmanaged<WorkerStart>.fromOpaque(context).release()
            }
        }
        self.threads = started
        width = started.count + 1
    }

    deinit {
        shared.stop()
        for thread in threads { pthread_join(thread, nil) }
    }

    /// Runs `body(task, worker)` for every task in `0..<tasks` and returns when all have run.
    /// `worker` is in `0..<width` and no two tasks run on the same worker at once, so it can
    /// index per-thread scratch space. Not reentrant: `body` must not call `run` again.
    public func run(tasks: Int, _ body: (_ task: Int, _ worker: Int) -> Void) {
        guard tasks > 0 else { return }
        if width == 1 || tasks == 1 {
            for task in 0..<tasks { body(task, 0) }
            return
        }
        withoutActuallyEscaping(body) { shared.run(tasks: tasks, body: $0) }
    }

    /// Splits `0..<count` into chunks of `chunk` items and runs `body(range, worker)` for each.
    public func forEachChunk(count: Int, chunk: Int, _ body: (_ range: Range<Int>, _ worker: Int) -> Void) {
        guard count > 0 else { return }
        let size = max(1, chunk)
        run(tasks: (count + size - 1) / size) { task, worker in
            let start = task * size
            body(start..<min(count, start + size), worker)
        }
    }

    /// A chunk size that gives each thread several chunks (for dynamic balancing) without
    /// making chunks smaller than `minimum` items.
    public func chunkSize(for count: Int, minimum: Int) -> Int {
        max(minimum, (count + width * 4 - 1) / (width * 4))
    }
}

/// The lock, the condition variables and the current loop, shared by the pool's threads.
private final class PoolState: @unchecked Sendable {
    // Every var below is read and written under `mutex`. `body` is only called for a task
    // index taken under the lock, and `run` returns only after every task has finished, so the
    // closure never outlives the `run` call that set it.
    // Allocated, not stored inline: pthread objects must not move.
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    let done = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    var generation = 0
    var stopping = false
    var body: ((Int, Int) -> Void)?
    var nextTask = 0
    var taskCount = 0
    var finished = 0

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        pthread_cond_init(done, nil)
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_cond_destroy(done)
        pthread_mutex_destroy(mutex)
        mutex.deallocate(); wake.deallocate(); done.deallocate()
    }

    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
    }

    func run(tasks: Int, body: @escaping (Int, Int) -> Void) {
        pthread_mutex_lock(mutex)
        self.body = body
        nextTask = 0
        taskCount = tasks
        finished = 0
        generation &+= 1
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)

        drain(worker: 0)

        pthread_mutex_lock(mutex)
        while finished < taskCount { pthread_cond_wait(done, mutex) }
        self.body = nil
        pthread_mutex_unlock(mutex)
    }

    /// Takes tasks until none are left.
    private func drain(worker: Int) {
        pthread_mutex_lock(mutex)
        while nextTask < taskCount, let body {
            let task = nextTask
            nextTask += 1
            pthread_mutex_unlock(mutex)
            body(task, worker)
            pthread_mutex_lock(mutex)
            finished += 1
            if finished == taskCount { pthread_cond_signal(done) }
        }
        pthread_mutex_unlock(mutex)
    }

    func workerLoop(worker: Int) {
        var seen = 0
        while true {
            pthread_mutex_lock(mutex)
            while generation == seen && !stopping { pthread_cond_wait(wake, mutex) }
            if stopping { pthread_mutex_unlock(mutex); return }
            seen = generation
            pthread_mutex_unlock(mutex)
            drain(worker: worker)
        }
    }
}

/// What a new thread needs (passed through pthread_create's context pointer).
private final class WorkerStart {
    let state: PoolState
    let worker: Int
    init(state: PoolState, worker: Int) { self.state = state; self.worker = worker }
}
