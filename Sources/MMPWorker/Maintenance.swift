import Logging
import MMPCore
import MMPQueue
import MMPRedis

/// The supervisor's housekeeping thread: heartbeats (lease renewal, cancel flags, registration),
/// job timeouts, the reaper, and the grace period after SIGTERM. Has its own connection; when
/// Redis is away it keeps enforcing local timeouts and retries with backoff.
final class Maintenance: @unchecked Sendable {
    unowned let supervisor: Supervisor
    let queue: JobQueue
    private var nextHeartbeat = 0.0
    private var nextReap = 0.0
    private var failures = 0
    private var redisRetryAt = 0.0

    init(supervisor: Supervisor) {
        self.supervisor = supervisor
        self.queue = JobQueue(redis: RedisConnection(settings: supervisor.options.redis), settings: supervisor.options.queue)
    }

    var options: WorkerOptions { supervisor.options }
    var logger: Logger { supervisor.logger }

    func run() {
        let tick = min(0.05, options.queue.heartbeat / 4)
        while !supervisor.slotsDone.isSet {
            let now = monotonic()
            for id in supervisor.running.overdue(now: now) where supervisor.running.stop(id, reason: .timedOut) {
                logger.warning("job timed out; stopping it", metadata: ["job": "\(id)"])
            }
            supervisor.enforceGrace()
            if now >= redisRetryAt {
                do {
                    if now >= nextHeartbeat {
                        try heartbeat()
                        nextHeartbeat = now + options.queue.heartbeat
                    }
                    if now >= nextReap, !supervisor.stopping.isSet {
                        try reap()
                        nextReap = now + options.queue.reaperInterval
                    }
                    if failures > 0 { logger.info("maintenance connection to redis restored") }
                    failures = 0
                } catch {
                    let e = MMPError.wrap(error)
                    if failures == 0 { logger.error("maintenance: \(e.message); retrying with backoff") }
                    redisRetryAt = now + Backoff(base: 0.1, cap: 5).delay(attempt: failures)
                    failures += 1
                }
            }
            sleep(tick, unless: { supervisor.slotsDone.isSet })
        }
        do { try queue.unregister(worker: options.workerID) } catch {}
    }

    /// Renews every lease and the registration in two round trips; stops jobs whose cancel was
    /// requested or whose lease is no longer ours.
    private func heartbeat() throws {
        let leases = supervisor.running.leases
        if !leases.isEmpty {
            let outcomes = try queue.heartbeat(leases)
            for (lease, outcome) in zip(leases, outcomes) {
                switch outcome {
                case .ok: break
                case .cancel:
                    if supervisor.running.stop(lease.id, reason: .cancelled) {
                        logger.info("cancel requested; stopping the job", metadata: ["job": "\(lease.id)"])
                    }
                case .lost:
                    if supervisor.running.stop(lease.id, reason: .leaseLost) {
                        logger.warning("lease lost (expired and reassigned); stopping the job", metadata: ["job": "\(lease.id)"])
                    }
                }
            }
        }
        let ttl = max(options.queue.heartbeat * 3, options.queue.lease)
        _ = try queue.redis.pipeline(queue.registrationCommands(supervisor.registration, ttl: ttl))
    }

    private func reap() throws {
        for q in options.queues {
            guard let report = try queue.reap(queue: q, worker: options.workerID), !report.isEmpty else { continue }
            logger.info("reaper", metadata: [
                "queue": "\(q)", "requeued": "\(report.requeued)", "dead": "\(report.buried)", "cancelled": "\(report.cancelled)",
                "promoted": "\(report.promoted)",
            ])
        }
    }
}
