import Synchronization
import Testing
@testable import MMPLearn

/// The blocking pool the tree learners run their parallel loops on.
@Suite struct TreeWorkerPoolTests {
    @Test(arguments: [1, 2, 4])
    func everyTaskRunsExactlyOnceOnAValidWorker(threads: Int) {
        let pool = WorkerPool(threads: threads)
        #expect(pool.width == threads)
        for tasks in [0, 1, 7, 1000] {
            var hits = [Int](repeating: 0, count: tasks)
            let badWorker = Atomic<Bool>(false)
            hits.withUnsafeMutableBufferPointer { hits in
                pool.run(tasks: tasks) { task, worker in
                    hits[task] += 1
                    if worker < 0 || worker >= threads { badWorker.store(true, ordering: .relaxed) }
                }
            }
            #expect(hits.allSatisfy { $0 == 1 })
            let bad = badWorker.load(ordering: .relaxed)
            #expect(!bad)
        }
    }

    @Test func noTwoTasksShareAWorkerAtOnce() {
        let pool = WorkerPool(threads: 4)
        let busy = Mutex([Bool](repeating: false, count: 4))
        let clash = Atomic<Bool>(false)
        pool.run(tasks: 400) { _, worker in
            busy.withLock { b in
                if b[worker] { clash.store(true, ordering: .relaxed) }
                b[worker] = true
            }
            var x = 0.0
            for i in 0..<2000 { x += Double(i).squareRoot() }
            precondition(x > 0)
            busy.withLock { $0[worker] = false }
        }
        let clashed = clash.load(ordering: .relaxed)
        #expect(!clashed)
    }

    @Test func chunksCoverTheRangeWithoutOverlap() {
        let pool = WorkerPool(threads: 3)
        var seen = [Int](repeating: 0, count: 10_007)
        seen.withUnsafeMutableBufferPointer { seen in
            pool.forEachChunk(count: 10_007, chunk: pool.chunkSize(for: 10_007, minimum: 100)) { range, _ in
                for i in range { seen[i] += 1 }
            }
        }
        #expect(seen.allSatisfy { $0 == 1 })
    }

    /// Pools come and go with every fit: their threads must be stopped and joined, and many
    /// loops in a row must not lose a wake-up (a lost one would hang this test).
    @Test func poolsStopTheirThreadsAndLoseNoWakeUps() {
        var total = 0
        for _ in 0..<50 {
            let pool = WorkerPool(threads: 2)
            for _ in 0..<100 {
                let sum = Atomic<Int>(0)
                pool.run(tasks: 3) { task, _ in sum.add(task + 1, ordering: .relaxed) }
                let value = sum.load(ordering: .relaxed)
                total += value
            }
        }
        #expect(total == 50 * 100 * 6)
    }
}
