import Logging
import MMPCore
import MMPQueue
import MMPRedis

/// The supervisor's housekeeping thread: liveness (and taking back dead workers' leases),
/// heartbeats (lease renewal, cancel flags, registration), job timeouts, the grace period after
/// SIGTERM, the reaper, and the health file. Has its own connection; when Redis is away it keeps
/// enforcing local timeouts and the grace period, and retries with backoff.
final class Maintenance: @unchecked Sendable {
    // Every field but `supervisor` is touched by the maintenance thread only.
    unowned let supervisor: Supervisor
    let queue: JobQueue
    private var nextLiveness = 0.0
    private var nextHeartbeat = 0.0
    private var nextReap = 0.0
    private var nextHealth = 0.0
    private var failures = 0
    private var redisRetryAt = 0.0
    private var liveness = Liveness()
    /// Wall-clock ms of the last round of Redis housekeeping that went through (health file).
    private var redisOKAt = 0

    init(supervisor: Supervisor) {
        self.supervisor = supervisor
        self.queue = JobQueue(redis: RedisConnection(settings: supervisor.options.redis), settings: supervisor.options.queue)
    }

    var options: WorkerOptions { supervisor.options }
    var logger: Logger { supervisor.logger }

    func run() {
        let tick = min(0.05, Liveness.interval(options.queue) / 4)
        while !supervisor.allSlotsDone {
            let now = monotonic()
            enforceTime(now)
            if now >= redisRetryAt {
                do {
                    if now >= nextLiveness {
                        try keepAlive()
                        nextLiveness = now + Liveness.interval(options.queue)
                    }
                    if now >= nextHeartbeat {
                        try heartbeat(now)
                        nextHeartbeat = now + options.queue.heartbeat
                    }
                    if now >= nextReap, supervisor.isRunning {
                        try reap()
                        nextReap = now + options.queue.reaperInterval
                    }
                    if failures > 0 { logger.info("maintenance connection to redis restored") }
                    failures = 0
                    redisOKAt = MMPQueue.Clock.nowMillis()
                } catch {
                    let failure = WriteFailure(error)
                    if failures == 0 {
                        _ = supervisor.state { $0.renewFailed(failure, now: now) }
                        logger.error("maintenance: \(failure.message); retrying with backoff")
                    }
                    // Short backoff: liveness must be refreshed within liveness_ttl once Redis is back.
                    redisRetryAt = now + Backoff(base: 0.05, cap: min(1, Liveness.interval(options.queue) * 2)).delay(attempt: failures)
                    failures += 1
                }
            }
            if let path = options.healthFile, now >= nextHealth {
                HealthFile.write(path, loopAt: MMPQueue.Clock.nowMillis(), redisAt: redisOKAt)
                nextHealth = now + 1
            }
            sleep(tick, unless: { self.supervisor.allSlotsDone })
        }
        do {
            try queue.forgetLiveness(worker: options.workerID, queues: options.queues)
            try queue.unregister(worker: options.workerID)
        } catch {}
    }

    /// Timeouts and the grace period: the machine says which jobs to stop (killed under its lock).
    private func enforceTime(_ now: Double) {
        let stops = supervisor.state { m in
            let stops = m.tick(now: now)
            Supervisor.kill(stops)
            return stops
        }
        let shutdown = stops.filter { $0.reason == .shutdown }
        if !shutdown.isEmpty {
            logger.warning("grace period of \(JSON.format(options.grace))s over: stopping \(shutdown.count) job(s) and giving them back")
        }
        for s in stops where s.reason == .timedOut { logger.warning("job timed out; stopping it", metadata: ["job": "\(s.id)"]) }
        // Slots that started a blocking wait just before the signal.
        if !supervisor.isRunning { for slot in supervisor.slots { slot.interruptIfWaiting() } }
    }

    /// Refreshes this worker's liveness on its queues and takes back the leases of workers found dead.
    private func keepAlive() throws {
        let dead = try queue.refreshLiveness(worker: options.workerID, queues: options.queues, liveness: &liveness)
        for (q, workers) in dead.sorted(by: { $0.key < $1.key }) {
            let report = try queue.reclaim(queue: q, workers: workers)
            logger.warning("worker(s) stopped refreshing their liveness; took back their leases", metadata: [
                "queue": "\(q)", "workers": "\(workers.joined(separator: ","))", "requeued": "\(report.requeued)",
                "dead": "\(report.buried)", "cancelled": "\(report.cancelled)",
            ])
        }
    }

    /// Renews every lease (one round trip for all of them) and the registration; stops jobs
    /// whose cancel was requested or whose lease is no longer ours.
    private func heartbeat(_ now: Double) throws {
        let leases = supervisor.state { $0.leases }
        if !leases.isEmpty {
            let outcomes = try queue.heartbeat(leases)
            let effects = supervisor.state { m in
                let effects = m.renewed(Array(zip(leases, outcomes)), now: now)
                Supervisor.kill(effects.compactMap { if case .stop(let s) = $0 { return s } else { return nil } })
                return effects
            }
            for effect in effects {
                switch effect {
                case .stop(let s) where s.reason == .cancelled:
                    logger.info("cancel requested; stopping the job", metadata: ["job": "\(s.id)"])
                case .stop(let s):
                    logger.warning("lease lost (expired and reassigned); stopping the job", metadata: ["job": "\(s.id)"])
                case .dropped(let id, let verdict):
                    logger.error("lease lost before the verdict was recorded; dropping it (the job runs again elsewhere)",
                                 metadata: ["job": "\(id)", "verdict": "\(Slot.describe(verdict))"])
                }
            }
        }
        // The registration is for people (`mmp workers`): Redis refusing it (OOM) must not hold
        // up the liveness or the leases.
        do {
            try queue.register(supervisor.registration, ttl: max(options.queue.heartbeat * 3, options.queue.lease))
        } catch let e as MMPError where e.kind == .connection && e.message.contains(" refused: ") {
            logger.debug("registration refused: \(e.message)")
        }
    }

    private func reap() throws {
        for q in options.queues {
            guard let report = try queue.reap(queue: q, worker: options.workerID), !report.isEmpty else { continue }
            logger.info("reaper", metadata: [
                "queue": "\(q)", "requeued": "\(report.requeued)", "dead": "\(report.buried)", "cancelled": "\(report.cancelled)",
                "promoted": "\(report.promoted)", "trimmed": "\(report.trimmed)",
            ])
        }
    }
}
