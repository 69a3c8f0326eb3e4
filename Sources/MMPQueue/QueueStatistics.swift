import MMPCore
import MMPRedis

/// Jobs that ended in each terminal state, since the queue began (`P:{Q}:stats`, kept by the
/// scripts that end jobs): Prometheus counters.
public struct CompletionTotals: Sendable, Equatable {
    public var queue: String
    public var succeeded = 0, failed = 0, dead = 0, cancelled = 0

    public init(queue: String) { self.queue = queue }

    init(queue: String, fields: [String: String]) {
        self.queue = queue
        succeeded = Int(fields["succeeded"] ?? "") ?? 0
        failed = Int(fields["failed"] ?? "") ?? 0
        dead = Int(fields["dead"] ?? "") ?? 0
        cancelled = Int(fields["cancelled"] ?? "") ?? 0
    }

    public static let states: [JobState] = [.succeeded, .failed, .dead, .cancelled]

    public func count(_ state: JobState) -> Int {
        switch state {
        case .succeeded: return succeeded
        case .failed: return failed
        case .dead: return dead
        case .cancelled: return cancelled
        default: return 0
        }
    }
}

/// How long runs that reached a verdict (succeeded, failed, retried, cancelled while running)
/// took, per queue and recipe (`P:{Q}:durations`): a Prometheus histogram kept in Redis. Fields:
/// `b<i>:<recipe>` runs in bucket i (1-based, `binf` over the last bound), `sum:<recipe>` ms.
public struct JobDurations: Sendable, Equatable {
    /// Upper bounds of the buckets, in ms: 10 ms to 3 h (no-op jobs to long trainings).
    public static let boundsMillis = [10, 50, 250, 1_000, 5_000, 15_000, 60_000, 300_000, 900_000, 3_600_000, 10_800_000]
    public static var boundsSeconds: [Double] { boundsMillis.map { Double($0) / 1000 } }

    public var queue: String
    public var recipe: String
    /// Runs per bucket, not cumulated: one per bound, then one over the last bound.
    public var counts: [Int]
    public var sumMillis: Int

    public init(queue: String, recipe: String, counts: [Int], sumMillis: Int) {
        self.queue = queue; self.recipe = recipe; self.counts = counts; self.sumMillis = sumMillis
    }

    public var count: Int { counts.reduce(0, +) }

    /// Runs at or under each bound (Prometheus `le`), then all of them (`+Inf`).
    public var cumulative: [Int] {
        var total = 0
        return counts.map { total += $0; return total }
    }

    /// One histogram per recipe found in a queue's hash, by recipe name.
    static func parse(queue: String, fields: [String: String]) -> [JobDurations] {
        var byRecipe: [String: JobDurations] = [:]
        let size = boundsMillis.count + 1
        for (field, value) in fields {
            guard let colon = field.firstIndex(of: ":"), let n = Int(value) else { continue }
            let head = field[..<colon], recipe = String(field[field.index(after: colon)...])
            var h = byRecipe[recipe] ?? JobDurations(queue: queue, recipe: recipe, counts: Array(repeating: 0, count: size), sumMillis: 0)
            if head == "sum" {
                h.sumMillis = n
            } else if head == "binf" {
                h.counts[size - 1] += n
            } else if head.hasPrefix("b"), let i = Int(head.dropFirst()), (1..<size).contains(i) {
                h.counts[i - 1] += n
            } else {
                continue
            }
            byRecipe[recipe] = h
        }
        return byRecipe.values.sorted { $0.recipe < $1.recipe }
    }
}

/// Completions over time (`P:{Q}:timeline`): three rings of counts per terminal state, written
/// by the scripts that end jobs, read for the dashboard's chart without touching a job.
public struct QueueTimeline: Sendable, Equatable {
    public enum Range: String, Sendable, CaseIterable {
        /// 60 one-minute points.
        case hour
        /// 96 quarter-hour points.
        case day
        /// 168 one-hour points.
        case week

        /// The ring's field prefix in the hash.
        var ring: String {
            switch self {
            case .hour: return "m"
            case .day: return "q"
            case .week: return "h"
            }
        }

        public var minutes: Int {
            switch self {
            case .hour: return 1
            case .day: return 15
            case .week: return 60
            }
        }

        public var slots: Int {
            switch self {
            case .hour: return 60
            case .day: return 96
            case .week: return 168
            }
        }
    }

    /// The hash expires this long after the last period began (an idle queue's timeline goes).
    static let expiryMillis = 8 * 86_400_000

    public struct Point: Sendable, Equatable {
        /// When the period began (ms since the epoch).
        public var start: Int
        public var succeeded = 0, failed = 0, dead = 0, cancelled = 0

        public var ended: Int { succeeded + failed + dead + cancelled }
    }

    public var range: Range
    /// Oldest first; the last is the period now running.
    public var points: [Point]

    /// The fields to read for a range: each slot's period, then its four counts.
    static func fields(_ range: Range) -> [String] {
        (0..<range.slots).flatMap { i -> [String] in
            let slot = range.ring + String(i)
            return [slot] + CompletionTotals.states.map { slot + ":" + $0.rawValue }
        }
    }

    /// Sums what several queues' rings hold (`values`: per queue, the replies to `fields`).
    static func build(_ range: Range, values: [[String?]], nowMillis: Int) -> QueueTimeline {
        let periodMillis = range.minutes * 60_000
        let current = nowMillis / periodMillis
        let first = current - range.slots + 1
        var points = (first...current).map { Point(start: $0 * periodMillis) }
        for queueValues in values {
            for slot in 0..<range.slots {
                let base = slot * 5
                guard base + 4 < queueValues.count, let stamp = queueValues[base].flatMap({ Int($0) }),
                      stamp >= first, stamp <= current else { continue }
                let i = stamp - first
                func n(_ k: Int) -> Int { queueValues[base + k].flatMap { Int($0) } ?? 0 }
                points[i].succeeded += n(1)
                points[i].failed += n(2)
                points[i].dead += n(3)
                points[i].cancelled += n(4)
            }
        }
        return QueueTimeline(range: range, points: points)
    }
}

extension JobQueue {
    /// Completion totals and duration histograms of each queue: one round trip, two hash reads
    /// per queue (O(queues × recipes × buckets), never O(jobs)).
    public func statistics(queues: [String]) throws -> [(totals: CompletionTotals, durations: [JobDurations])] {
        let commands = queues.flatMap { q in [RedisCommand("HGETALL", keys(q).stats), RedisCommand("HGETALL", keys(q).durations)] }
        let replies = try checked(redis.pipeline(commands), "statistics")
        return queues.enumerated().map { i, q in
            (CompletionTotals(queue: q, fields: replies[2 * i].dictionary), JobDurations.parse(queue: q, fields: replies[2 * i + 1].dictionary))
        }
    }

    /// Completions over the last hour, day or week, summed over `queues` (server clock): one round trip.
    public func timeline(queues: [String], range: QueueTimeline.Range) throws -> QueueTimeline {
        let fields = QueueTimeline.fields(range)
        let replies = try checked(redis.pipeline([RedisCommand("TIME")] + queues.map { RedisCommand(["HMGET", keys($0).timeline] + fields) }),
                                  "timeline")
        let now = JobQueue.serverMillis(replies[0]) ?? Clock.nowMillis()
        return QueueTimeline.build(range, values: replies.dropFirst().map { ($0.array ?? []).map(\.string) }, nowMillis: now)
    }
}
