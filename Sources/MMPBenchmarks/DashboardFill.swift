import MMPCore
import MMPQueue
import MMPRedis

/// Fills a Redis for the dashboard benchmark (Benchmarks/dashboard/run.sh) through the real
/// queue scripts: `jobs` jobs submitted, leased and ended by a pretend worker, one in ten dead
/// (recipe `diagnostic`), the rest succeeded (recipe `noop`), so the records, indexes, counters
/// and timeline are what a fleet leaves.
public enum DashboardFill {
    public static func run(redisURL: String, jobs: Int, progress: (String) -> Void) throws {
        var settings = QueueSettings()
        settings.resultTTL = 30 * 86_400
        settings.deadTTL = 30 * 86_400
        let queue = JobQueue(redis: try RedisConnection.connect(try RedisSettings(url: redisURL)), settings: settings)
        try queue.loadScripts()
        let chunk = 2_000
        var done = 0
        while done < jobs {
            let n = min(chunk, jobs - done)
            for i in 0..<n {
                let kind: JobPayload.Kind = (done + i) % 10 == 0 ? .diagnostic : .noop
                _ = try queue.submit(.init(queue: "default", payload: JobPayload(kind: kind), maxAttempts: 1))
            }
            var left = n
            while left > 0 {
                let claim = try queue.claim(queue: "default", ClaimRequest(worker: "bench-worker-\(left % 4)", token: "t\(left)", batch: 32))
                if claim.jobs.isEmpty { continue }
                var completions: [(Lease, JSON)] = []
                for job in claim.jobs {
                    if job.runsInline {
                        completions.append((job.lease, ["metrics": ["accuracy": 0.9]]))
                    } else {
                        _ = try queue.fail(job.lease, mode: .dead, kind: "internal", message: "benchmark failure", backoff: 0)
                    }
                }
                if !completions.isEmpty { _ = try queue.completeAndClaim(queue: "default", completions: completions, next: nil) }
                left -= claim.jobs.count
            }
            done += n
            progress("filled \(done) of \(jobs)")
        }
    }
}
