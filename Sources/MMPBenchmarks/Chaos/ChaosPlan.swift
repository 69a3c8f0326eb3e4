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

/// One run that got to its end: the line its job process appended to the runs file.
public struct RunMark: Sendable, Equatable {
    public var job: String
    /// The worker process that ran it (the job process's parent).
    public var worker: Int32
    /// When (ms since the epoch).
    public var at: Int

    public init(job: String, worker: Int32, at: Int) {
        self.job = job; self.worker = worker; self.at = at
    }

    /// `<id> <pid> <worker pid> <ms>` per line.
    public static func parse(_ text: String) -> [RunMark] {
        text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard f.count >= 4, let worker = Int32(f[2]), let at = Int(f[3]) else { return nil }
            return RunMark(job: String(f[0]), worker: worker, at: at)
        }
    }
}

/// A worker the chaos run stopped: with SIGKILL (anything it held dies with it) or SIGTERM (it
/// gives up a result Redis would not take before its grace ran out, and logs that it did).
public struct WorkerStop: Sendable, Equatable {
    public var pid: Int32
    public var signal: ChaosFault
    /// When (ms since the epoch).
    public var at: Int

    public init(pid: Int32, signal: ChaosFault, at: Int) {
        self.pid = pid; self.signal = signal; self.at = at
    }
}

/// The verdict. A job is **lost** when it did not end succeeded (record gone, still waiting or
/// running after the drain, dead or failed). A job **ran twice** when it ran to its end more
/// than once and an earlier run is not explained by its worker being stopped holding the result:
/// killed -9 after that run ended (a result Redis had not taken yet dies with the worker:
/// at-least-once), or sent SIGTERM and logged that it gave that job's result up (`givenUp`).
/// Those are counted apart, as **repeated**, by the stop that explains them.
public struct ChaosVerdict: Sendable, Equatable {
    public var lost: [String: String] = [:]
    public var runTwice: [String: Int] = [:]
    public var repeated: [ChaosFault: Int] = [:]

    public init(jobs: [String], states: [String: String], marks: [RunMark], stops: [WorkerStop], givenUp: Set<String> = []) {
        var runs: [String: [RunMark]] = [:]
        for mark in marks { runs[mark.job, default: []].append(mark) }
        for id in jobs {
            let state = states[id] ?? "missing"
            let mine = (runs[id] ?? []).sorted { $0.at < $1.at }
            if state != "succeeded" { lost[id] = state } else if mine.isEmpty { lost[id] = "succeeded without a run" }
            guard mine.count > 1 else { continue }
            var unexplained = 0
            for earlier in mine.dropLast() {
                let explaining = stops.first { stop in
                    guard stop.pid == earlier.worker else { return false }
                    return stop.signal == .kill ? stop.at >= earlier.at : givenUp.contains(id)
                }
                if let stop = explaining {
                    repeated[stop.signal, default: 0] += 1
                } else {
                    unexplained += 1
                }
            }
            if unexplained > 0 { runTwice[id] = mine.count }
        }
    }
}
