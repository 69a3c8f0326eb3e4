import Logging
import MMPCore
import MMPQueue
import MMPRedis

/// The fast path for cancelling a running job: the cancel script publishes the job id on
/// `P:{Q}:cancel`, and this thread stops the job at once instead of at the next heartbeat. The
/// flag on the job stays the truth: the heartbeat finds it even when a message is missed (the
/// listener reconnecting, Redis restarted), and the job is recorded cancelled by the fenced
/// `finish-cancelled` script either way.
final class CancelListener: @unchecked Sendable {
    unowned let supervisor: Supervisor
    let redis: RedisConnection

    init(supervisor: Supervisor) {
        self.supervisor = supervisor
        self.redis = RedisConnection(settings: supervisor.options.redis)
    }

    func stop() { redis.interrupt() }

    func run() {
        let channels = supervisor.options.queues.map { QueueKeys(prefix: supervisor.options.queue.keyPrefix, queue: $0).cancelChannel }
        var failures = 0
        while !supervisor.allSlotsDone {
            do {
                try redis.connect()
                _ = try redis.pipeline([RedisCommand(["SUBSCRIBE"] + channels)])
                for _ in 1..<channels.count { _ = try redis.receive() }
                failures = 0
                while !supervisor.allSlotsDone {
                    // An idle subscription times out now and then; it simply subscribes again.
                    let message = try redis.receive(blockSeconds: 30)
                    guard let parts = message.array, parts.count == 3, parts[0].string == "message", let id = parts[2].string else { continue }
                    let stop = supervisor.state { m in
                        let stop = m.cancelAnnounced(id)
                        Supervisor.kill(stop.map { [$0] } ?? [])
                        return stop
                    }
                    if stop != nil {
                        supervisor.logger.info("cancel requested; stopping the job", metadata: ["job": "\(id)", "via": "pub/sub"])
                    }
                }
            } catch {
                redis.close()
                if supervisor.allSlotsDone { return }
                sleep(Backoff(base: 0.1, cap: 5).delay(attempt: failures), unless: { self.supervisor.allSlotsDone })
                failures += 1
            }
        }
    }
}
