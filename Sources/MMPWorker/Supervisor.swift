#if canImport(Glibc)
import Glibc
#endif
import Logging
import MMPCore
import MMPQueue
import MMPRedis

/// The worker supervisor (design §3): `concurrency` slots claim and run jobs, a maintenance
/// thread renews leases, reads cancel flags, enforces timeouts, runs the reaper and keeps the
/// registration fresh, and a signal thread turns SIGTERM/SIGINT into the shutdown contract
/// (§3.9). Each thread has its own Redis connection; a lost connection is retried with backoff
/// and never ends the process.
public final class Supervisor: @unchecked Sendable {
    let options: WorkerOptions
    let logger: Logger
    let running = RunningJobs()
    /// Set on the first SIGTERM/SIGINT: no new claims.
    let stopping = AtomicFlag()
    /// Set when the grace period is over (or a second signal came): running jobs are stopped.
    let graceOver = AtomicFlag()
    /// Set when every slot has ended: maintenance ends too.
    let slotsDone = AtomicFlag()
    private var slotList: [Slot] = []
    /// Read by the signal thread while the main thread fills it: under the lock.
    var slots: [Slot] {
        get { lock.withLock { slotList } }
        set { lock.withLock { slotList = newValue } }
    }
    let startedAt = Clock.nowMillis()
    private var stopRequestedAt = 0.0
    private let lock = MutexLock()
    private var tokenCounter: UInt64 = 0
    private let tokenSeed = UInt64.random(in: 0...UInt64.max)

    public init(options: WorkerOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Checks Redis, starts the threads, blocks until shutdown is complete. Returns the exit code.
    public func run(readyAt: (() -> Void)? = nil) -> Int32 {
        blockSignals()
        // Signals are watched from the start: a worker waiting for Redis must still stop on SIGTERM.
        let signalThread = WorkerThread { self.watchSignals() }
        _ = signalThread
        let probe = RedisConnection(settings: options.redis)
        // Wait for Redis at start too: a worker started before Redis comes up must not crash.
        var first = true
        while !stopping.isSet {
            do {
                let check = try ServerCheck.run(probe)
                try JobQueue(redis: probe, settings: options.queue).loadScripts()
                for w in check.warnings { logger.warning("\(w)") }
                logger.debug("redis \(options.redis.endpoint) version \(check.version), maxmemory-policy \(check.maxmemoryPolicy)")
                break
            } catch let e as MMPError where e.kind == .invalidConfig {
                logger.critical("\(e.message)")
                return 1
            } catch {
                if first { logger.error("\(MMPError.wrap(error).message); retrying with backoff") }
                first = false
                _ = probe.reconnect(backoff: Backoff(base: 0.1, cap: 5), shouldStop: { self.stopping.isSet })
            }
        }
        probe.close()
        if stopping.isSet { return 0 }
        slots = (0..<options.concurrency).map { Slot(index: $0, supervisor: self) }
        let maintenance = Maintenance(supervisor: self)
        let maintenanceThread = WorkerThread { maintenance.run() }
        let listener = CancelListener(supervisor: self)
        let listenerThread = WorkerThread { listener.run() }
        let slotThreads = slots.map { slot in WorkerThread { slot.run() } }
        logger.info("worker ready", metadata: [
            "worker": "\(options.workerID)", "queues": "\(options.queues.joined(separator: ","))",
            "concurrency": "\(options.concurrency)", "redis": "\(options.redis.endpoint)", "settings": "\(options.settingsSource)",
        ])
        readyAt?()
        for t in slotThreads { t.join() }
        slotsDone.set()
        maintenanceThread.join()
        listener.stop()
        listenerThread.join()
        // Round trips this worker made, for the queue benchmark's per-job count.
        let trips = slots.reduce(maintenance.queue.redis.roundTrips + probe.roundTrips + listener.redis.roundTrips) { $0 + $1.queue.redis.roundTrips }
        logger.info("worker stopped", metadata: ["worker": "\(options.workerID)", "redis_round_trips": "\(trips)"])
        return 0
    }

    /// A lease token unique to this worker and claim.
    func nextToken() -> String {
        lock.withLock {
            tokenCounter += 1
            return "\(options.workerID)-\(String(tokenSeed &+ tokenCounter, radix: 36))"
        }
    }

    // MARK: Signals

    /// SIGTERM and SIGINT are blocked in every thread and taken by `sigwait` in one, so no
    /// async-signal-unsafe code ever runs in a handler. SIGPIPE is ignored (a dead child's pipe).
    private func blockSignals() {
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    private func watchSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        while true {
            var received: Int32 = 0
            guard sigwait(&set, &received) == 0 else { continue }
            if stopping.set() {
                let n = running.count
                logger.info("shutdown requested: no new claims; \(n) running job(s) get \(JSON.format(options.grace))s to finish",
                            metadata: ["signal": "\(ChildProcess.signalName(received))"])
                lock.withLock { stopRequestedAt = monotonic() }
                for slot in slots { slot.interruptIfWaiting() }
            } else if graceOver.set() {
                logger.warning("second signal: stopping running jobs now and requeueing them")
                stopAllRunning()
            }
        }
    }

    /// Called by maintenance: past the grace period, stop what still runs and give it back.
    func enforceGrace() {
        guard stopping.isSet, !graceOver.isSet else { return }
        let since = lock.withLock { stopRequestedAt }
        if monotonic() - since >= options.grace, graceOver.set() {
            let n = running.count
            if n > 0 { logger.warning("grace period of \(JSON.format(options.grace))s over: stopping \(n) job(s) and requeueing them") }
            stopAllRunning()
        }
        // Slots that started a blocking wait just before the signal.
        for slot in slots { slot.interruptIfWaiting() }
    }

    private func stopAllRunning() {
        for id in running.ids { running.stop(id, reason: .shutdown) }
    }

    var registration: WorkerInfo {
        WorkerInfo(id: options.workerID, host: options.host, pid: Int(getpid()), version: MMPVersion.current, queues: options.queues,
                   concurrency: options.concurrency, jobs: running.ids, state: stopping.isSet ? "draining" : "running",
                   startedAt: startedAt, heartbeatAt: Clock.nowMillis())
    }
}
