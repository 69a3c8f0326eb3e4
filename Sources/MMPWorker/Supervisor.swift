#if canImport(Glibc)
import Glibc
#endif
import Logging
import MMPCore
import MMPQueue
import MMPRedis
import Synchronization

/// The worker supervisor (design §3): `concurrency` slots claim and run jobs, a maintenance
/// thread renews leases, reads cancel flags, enforces timeouts, keeps the worker's liveness,
/// runs the reaper and keeps the registration fresh, and a signal thread turns SIGTERM/SIGINT
/// into the shutdown contract (§3.9). Each thread has its own Redis connection; a lost
/// connection or a Redis that refuses writes is retried with backoff and never ends the process.
///
/// Every decision is the state machine's (`WorkerStateMachine`); the threads do the I/O.
public final class Supervisor: Sendable {
    let options: WorkerOptions
    let logger: Logger
    private let machine: Mutex<WorkerStateMachine>
    /// Set when every slot has ended: maintenance ends too.
    private let slotsDone = Atomic<Bool>(false)
    /// Read by the signal thread while the main thread fills it.
    private let slotList = Mutex<[Slot]>([])
    let startedAt = MMPQueue.Clock.nowMillis()
    private let tokenCounter = Atomic<UInt64>(0)
    private let tokenSeed = UInt64.random(in: 0...UInt64.max)

    /// What job processes get: the worker's environment, and MMP_THREADS (their share of the cores).
    let childEnvironment: [String: String]

    public init(options: WorkerOptions, logger: Logger) {
        self.options = options
        self.logger = logger
        var environment = ProcessEnvironment.current().variables
        environment["MMP_THREADS"] = String(options.jobThreads)
        self.childEnvironment = environment
        self.machine = Mutex(WorkerStateMachine(configuration: .init(grace: options.grace)))
    }

    /// Runs `body` on the state machine under its lock. Kills it asks for are sent inside the
    /// lock (`kill(_:)`), so a pid is never signalled after its slot has reaped it.
    func state<T>(_ body: (inout WorkerStateMachine) -> T) -> T {
        machine.withLock { body(&$0) }
    }

    /// Sends SIGKILL to the children of `stops`. Call inside `state`.
    static func kill(_ stops: [WorkerStateMachine.Stop]) {
        for s in stops where s.pid > 0 { _ = Glibc.kill(s.pid, SIGKILL) }
    }

    var isRunning: Bool { state { $0.isRunning } }

    var allSlotsDone: Bool { slotsDone.load(ordering: .acquiring) }

    var slots: [Slot] { slotList.withLock { $0 } }

    /// Checks Redis, starts the threads, blocks until shutdown is complete. Returns the exit code.
    public func run(readyAt: (() -> Void)? = nil) -> Int32 {
        blockSignals()
        // Signals are watched from the start: a worker waiting for Redis must still stop on SIGTERM.
        let signalThread = WorkerThread { self.watchSignals() }
        _ = signalThread
        let probe = RedisConnection(settings: options.redis)
        // Wait for Redis at start too: a worker started before Redis comes up must not crash.
        var first = true
        while isRunning {
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
                _ = probe.reconnect(backoff: Backoff(base: 0.1, cap: 5), shouldStop: { !self.isRunning })
            }
        }
        probe.close()
        if !isRunning { return 0 }
        let made = (0..<options.concurrency).map { Slot(index: $0, supervisor: self) }
        slotList.withLock { $0 = made }
        let maintenance = Maintenance(supervisor: self)
        let maintenanceThread = WorkerThread { maintenance.run() }
        let listener = CancelListener(supervisor: self)
        let listenerThread = WorkerThread { listener.run() }
        let slotThreads = made.map { slot in WorkerThread { slot.run() } }
        logger.info("worker ready", metadata: [
            "worker": "\(options.workerID)", "queues": "\(options.queues.joined(separator: ","))",
            "concurrency": "\(options.concurrency)", "job_threads": "\(options.jobThreads)", "redis": "\(options.redis.endpoint)",
            "settings": "\(options.settingsSource)",
        ])
        readyAt?()
        for t in slotThreads { t.join() }
        slotsDone.store(true, ordering: .releasing)
        maintenanceThread.join()
        listener.stop()
        listenerThread.join()
        // Round trips this worker made, for the queue benchmark's per-job count.
        let trips = made.reduce(maintenance.queue.redis.roundTrips + probe.roundTrips + listener.redis.roundTrips) { $0 + $1.queue.redis.roundTrips }
        logger.info("worker stopped", metadata: ["worker": "\(options.workerID)", "redis_round_trips": "\(trips)"])
        return 0
    }

    /// A lease token unique to this worker and claim.
    func nextToken() -> String {
        let n = tokenCounter.add(1, ordering: .relaxed).newValue
        return "\(options.workerID)-\(String(tokenSeed &+ n, radix: 36))"
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
            let action = state { m in
                let a = m.signal(now: monotonic())
                if case .stopNow(let stops) = a { Supervisor.kill(stops) }
                return a
            }
            switch action {
            case .drain(let running):
                logger.info("shutdown requested: no new claims; \(running) running job(s) get \(JSON.format(options.grace))s to finish",
                            metadata: ["signal": "\(ChildProcess.signalName(received))"])
                for slot in slots { slot.interruptIfWaiting() }
            case .stopNow(let stops):
                logger.warning("second signal: stopping \(stops.count) running job(s) now and giving them back")
            case .none:
                break
            }
        }
    }

    var registration: WorkerInfo {
        let (jobs, draining) = state { ($0.jobIDs, !$0.isRunning) }
        return WorkerInfo(id: options.workerID, host: options.host, pid: Int(getpid()), version: MMPVersion.current, queues: options.queues,
                          concurrency: options.concurrency, jobs: jobs, state: draining ? "draining" : "running",
                          startedAt: startedAt, heartbeatAt: MMPQueue.Clock.nowMillis())
    }
}
