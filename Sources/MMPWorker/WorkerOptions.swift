import MMPCore
import MMPQueue
import MMPRedis

/// Everything a supervisor needs, resolved by the executable before `Supervisor.run`.
public struct WorkerOptions: Sendable {
    /// In priority order: a worker takes from the first queue that has work.
    public var queues: [String]
    public var concurrency: Int
    /// How long running jobs may finish after SIGTERM before they are stopped and requeued.
    public var grace: Double
    public var redis: RedisSettings
    public var queue: QueueSettings
    /// The `mmp` executable that runs jobs (`mmp run-job`).
    public var mmpPath: String
    public var workerID: String
    public var host: String
    /// Where the queue settings came from (for the start line): "config (APP_ENV=dev)", "defaults".
    public var settingsSource: String
    /// Where to write the health file a liveness probe reads (`--health-file`); nil: none.
    public var healthFile: String?
    /// Threads each job process computes with (its `MMP_THREADS`): the cores the worker may use
    /// (affinity, container CPU quota) shared by its `concurrency` slots.
    public var jobThreads = 1

    public init(queues: [String], concurrency: Int, grace: Double, redis: RedisSettings, queue: QueueSettings,
                mmpPath: String, workerID: String, host: String, settingsSource: String) {
        self.queues = queues; self.concurrency = concurrency; self.grace = grace; self.redis = redis; self.queue = queue
        self.mmpPath = mmpPath; self.workerID = workerID; self.host = host; self.settingsSource = settingsSource
    }
}
