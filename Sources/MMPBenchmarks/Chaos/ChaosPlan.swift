import MMPCore

/// The faults the chaos run injects (Benchmarks/chaos/run.sh).
public enum ChaosFault: String, CaseIterable, Sendable {
    /// `kill -9` a worker (its job runs again elsewhere; recovery is timed).
    case kill = "kill -9"
    /// SIGTERM a worker: it stops claiming, finishes or releases its jobs within its grace.
    case sigterm = "SIGTERM"
    /// Stop the Redis master (SIGTERM, it writes its append-only file) and start it again.
    case redisRestart = "redis restart"
    /// `SENTINEL FAILOVER`: the replica becomes the master.
    case failover = "sentinel failover"
    /// `maxmemory` just under the memory in use for a few seconds: writes are refused (OOM).
    case oom = "OOM window"
}

/// Which fault comes next and when: every kind once in each round, in a shuffled order, with a
/// random pause before each. Seeded, so a run can be repeated (`CHAOS_SEED`).
public struct ChaosSchedule: Sendable {
    private var generator: SeededGenerator
    private var bag: [ChaosFault] = []
    public let pause: ClosedRange<Double>

    public init(seed: UInt64, pause: ClosedRange<Double>) {
        generator = SeededGenerator(seed: seed)
        self.pause = pause
    }

    public mutating func next() -> (wait: Double, fault: ChaosFault) {
        if bag.isEmpty { bag = ChaosFault.allCases.shuffled(using: &generator) }
        let wait = pause.lowerBound + generator.unit() * (pause.upperBound - pause.lowerBound)
        return (wait, bag.removeLast())
    }

    /// A number in `0..<bound`, from the same seeded stream (which worker to hit).
    public mutating func pick(_ bound: Int) -> Int { generator.uniform(bound) }
}

/// The jobs: diagnostic sleeps of mixed lengths spread over the queues (most short, some long
/// enough to be running when a fault hits).
public enum ChaosJobs {
    public struct Job: Sendable, Equatable {
        public var index: Int
        public var queue: String
        public var seconds: Double
    }

    public static func make(count: Int, queues: [String], seed: UInt64) -> [Job] {
        var generator = SeededGenerator(seed: seed ^ 0x5EED)
        return (0..<count).map { i in
            let roll = generator.unit()
            let seconds: Double
            if roll < 0.6 { seconds = 0.05 + generator.unit() * 0.45 } else if roll < 0.9 { seconds = 0.5 + generator.unit() * 1.5 } else {
                seconds = 2 + generator.unit() * 3
            }
            return Job(index: i, queue: queues[i % queues.count], seconds: (seconds * 100).rounded() / 100)
        }
    }
}

/// The verdict: a job is lost when it did not end succeeded (record gone, still waiting or
/// running after the drain, dead or failed); it ran twice when its side effect (the mark its run
/// leaves at its end) is there more than once.
public struct ChaosVerdict: Sendable, Equatable {
    public var lost: [String: String] = [:]
    public var runTwice: [String: Int] = [:]

    public init(jobs: [String], states: [String: String], marks: [String: Int]) {
        for id in jobs {
            let state = states[id] ?? "missing"
            if state != "succeeded" { lost[id] = state }
            let runs = marks[id] ?? 0
            if runs > 1 { runTwice[id] = runs }
            if runs == 0, state == "succeeded" { lost[id] = "succeeded without a run" }
        }
    }

    /// Counts each id in a mark file (`<id> <pid>` per line).
    public static func countMarks(_ text: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let id = line.split(separator: " ").first else { continue }
            counts[String(id), default: 0] += 1
        }
        return counts
    }
}
