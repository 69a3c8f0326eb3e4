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

/// Why a job ran to its end again without the queue recording it done twice: the earlier run's
/// result never made it into Redis because its worker was killed -9 after the run ended (the
/// result died with it), or was stopped (SIGTERM) and logged giving that result up, or logged
/// that the job's lease was lost before the result was recorded (the lease token fenced the late
/// result off: Redis refused writes longer than a lease, or the worker was cut off from Redis long
/// enough for the others to find it dead and take the job back).
public enum RepeatCause: String, CaseIterable, Sendable {
    case killed = "kill -9"
    case stopped = "SIGTERM"
    case leaseLost = "lease lost, result fenced off"
}

/// A stretch of time (ms since the epoch) during which Redis refused writes.
public struct Outage: Sendable, Equatable {
    public var start: Int
    public var end: Int
    public init(start: Int, end: Int) { self.start = start; self.end = end }
    public var milliseconds: Int { end - start }
}

/// What the workers logged about results they did not record, by job and worker pid (times in
/// ms since the epoch).
public struct WorkerLogFacts: Sendable, Equatable {
    public struct Key: Hashable, Sendable {
        public var job: String
        public var worker: Int32
        public init(job: String, worker: Int32) { self.job = job; self.worker = worker }
    }
    /// "giving it up": a stopping worker whose grace ran out while Redis refused the write.
    public var givenUp: Set<Key> = []
    /// "lease lost ...": the worker found the job reassigned and dropped its result.
    public var leaseLost: [Key: [Int]] = [:]
    public init(givenUp: Set<Key> = [], leaseLost: [Key: [Int]] = [:]) { self.givenUp = givenUp; self.leaseLost = leaseLost }
}

/// The verdict. A job is **lost** when it did not end succeeded (record gone, still waiting or
/// running after the drain, dead or failed). A job **ran twice** when it ran to its end more than
/// once and an earlier run has no `RepeatCause` — no evidence that its result stayed out of
/// Redis; runs with one are counted apart, as **repeated**, by cause.
public struct ChaosVerdict: Sendable, Equatable {
    public var lost: [String: String] = [:]
    public var runTwice: [String: Int] = [:]
    public var repeated: [RepeatCause: Int] = [:]

    public init(jobs: [String], states: [String: String], marks: [RunMark], stops: [WorkerStop], logs: WorkerLogFacts = WorkerLogFacts()) {
        var runs: [String: [RunMark]] = [:]
        for mark in marks { runs[mark.job, default: []].append(mark) }
        for id in jobs {
            let state = states[id] ?? "missing"
            let mine = (runs[id] ?? []).sorted { $0.at < $1.at }
            if state != "succeeded" { lost[id] = state } else if mine.isEmpty { lost[id] = "succeeded without a run" }
            guard mine.count > 1 else { continue }
            var unexplained = 0
            for earlier in mine.dropLast() {
                if let cause = ChaosVerdict.cause(of: earlier, stops: stops, logs: logs) {
                    repeated[cause, default: 0] += 1
                } else {
                    unexplained += 1
                }
            }
            if unexplained > 0 { runTwice[id] = mine.count }
        }
    }

    static func cause(of run: RunMark, stops: [WorkerStop], logs: WorkerLogFacts) -> RepeatCause? {
        let key = WorkerLogFacts.Key(job: run.job, worker: run.worker)
        if (logs.leaseLost[key] ?? []).contains(where: { $0 >= run.at }) { return .leaseLost }
        for stop in stops where stop.pid == run.worker {
            if stop.signal == .kill, stop.at >= run.at { return .killed }
            if stop.signal == .sigterm, logs.givenUp.contains(key) { return .stopped }
        }
        return nil
    }
}
