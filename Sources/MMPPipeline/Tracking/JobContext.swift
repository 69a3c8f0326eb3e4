import MMPConfig
import MMPCore
import MMPQueue
import MMPRedis

/// A fleet job's record, read from the queue of this environment's config: which worker runs
/// it (for the run's tags), and how it ended (for the run guard). Best effort: nil when Redis
/// cannot be reached.
enum JobContext {
    static func open(_ config: AppConfig) throws -> JobQueue {
        let section = try config.section("queue")
        let settings = try QueueSettings(section: section)
        var redis: RedisSettings
        if let r = section["redis"], r.objectValue != nil {
            redis = try RedisSettings.fromSection(r)
        } else {
            redis = try RedisSettings.fromEnvironment(config.environment.variables)
        }
        redis.connectTimeout = min(redis.connectTimeout, 5)
        return JobQueue(redis: try RedisConnection.connect(redis), settings: settings)
    }

    static func record(_ jobID: String, config: AppConfig) -> JobRecord? {
        guard let queue = try? open(config) else { return nil }
        return try? queue.record(jobID)
    }
}
