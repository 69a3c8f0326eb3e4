import MMPCore
import MMPHTTP
import MMPQueue

/// The fleet's Prometheus metrics (`GET /metrics`, `mmp metrics`), named after the asynq,
/// BullMQ and Celery exporters' conventions. Everything comes from counters and indexes the
/// scripts keep in Redis, so a scrape costs O(queues + workers + recipes), never O(jobs).
public struct FleetMetrics: Sendable {
    public var counts: [JobQueue.QueueCounts]
    public var statistics: [(totals: CompletionTotals, durations: [JobDurations])]
    public var workers: [WorkerInfo]

    /// The `state` label values of `mmp_jobs`: the fields of `mmp queues --json`.
    public static let depthStates: [(label: String, state: JobState)] = [
        ("pending", .queued), ("scheduled", .scheduled), ("active", .active), ("succeeded", .succeeded),
        ("failed", .failed), ("dead", .dead), ("cancelled", .cancelled),
    ]

    /// Reads what the metrics need: three pipelined round trips (depths, statistics, workers)
    /// plus one for the oldest pending records.
    public static func read(_ queue: JobQueue) throws -> FleetMetrics {
        let counts = try queue.counts()
        let names = counts.map(\.queue)
        return FleetMetrics(counts: counts, statistics: try queue.statistics(queues: names), workers: try queue.workers())
    }

    public init(counts: [JobQueue.QueueCounts], statistics: [(totals: CompletionTotals, durations: [JobDurations])], workers: [WorkerInfo]) {
        self.counts = counts
        self.statistics = statistics
        self.workers = workers
    }

    /// The exposition text (format 0.0.4).
    public var text: String {
        var out = PrometheusText()
        out.family("mmp_jobs", .gauge, help: "Jobs in each state now, per queue (terminal states: those whose record is kept).")
        for c in counts {
            for (label, state) in FleetMetrics.depthStates { out.sample("mmp_jobs", [("queue", c.queue), ("state", label)], Double(c.count(state))) }
        }
        out.family("mmp_jobs_completed_total", .counter, help: "Jobs that ended in each terminal state since the queue began.")
        for s in statistics {
            for state in CompletionTotals.states {
                out.sample("mmp_jobs_completed_total", [("queue", s.totals.queue), ("state", state.rawValue)], Double(s.totals.count(state)))
            }
        }
        out.family("mmp_queue_oldest_pending_seconds", .gauge, help: "How long the next job to run has waited (0 when none waits).")
        for c in counts { out.sample("mmp_queue_oldest_pending_seconds", [("queue", c.queue)], c.oldestPendingAge ?? 0) }
        out.family("mmp_queue_paused", .gauge, help: "1 while the queue is paused (mmp queues pause), else 0.")
        for c in counts { out.sample("mmp_queue_paused", [("queue", c.queue)], c.paused ? 1 : 0) }
        out.family("mmp_workers", .gauge, help: "Live workers that take jobs from each queue.")
        for c in counts { out.sample("mmp_workers", [("queue", c.queue)], Double(workers.filter { $0.queues.contains(c.queue) }.count)) }
        out.family("mmp_worker_busy_slots", .gauge, help: "Slots of all live workers running a job now.")
        out.sample("mmp_worker_busy_slots", [], Double(workers.reduce(0) { $0 + $1.busySlots }))
        out.family("mmp_job_duration_seconds", .histogram, help: "How long runs that reached a verdict took, per queue and recipe.")
        let bounds = JobDurations.boundsSeconds
        for s in statistics {
            for h in s.durations {
                let labels = [("queue", h.queue), ("recipe", h.recipe)]
                for (bound, n) in zip(bounds, h.cumulative) {
                    out.sample("mmp_job_duration_seconds_bucket", labels + [("le", PrometheusText.format(bound))], Double(n))
                }
                out.sample("mmp_job_duration_seconds_bucket", labels + [("le", "+Inf")], Double(h.count))
                out.sample("mmp_job_duration_seconds_sum", labels, Double(h.sumMillis) / 1000)
                out.sample("mmp_job_duration_seconds_count", labels, Double(h.count))
            }
        }
        return out.text
    }
}
