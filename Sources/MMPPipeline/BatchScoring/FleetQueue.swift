import MMPConfig
import MMPCore
import MMPQueue
import MMPRedis

/// The queue of a workspace's environment (its config's `queue:` section; Redis from there or
/// from MMP_REDIS_URL): what `mmp submit` and a parent job's step (in `mmp run-job`) open.
public enum FleetQueue {
    public static func settings(workspace: Workspace, env: String? = nil) throws -> (QueueSettings, RedisSettings, String) {
        let config = try workspace.config(env: env)
        let section = try config.section("queue")
        let queue = try QueueSettings(section: section)
        let redis: RedisSettings
        if let r = section["redis"], r.objectValue != nil {
            redis = try RedisSettings.fromSection(r)
        } else {
            redis = try RedisSettings.fromEnvironment(workspace.environment.variables)
        }
        return (queue, redis, config.env)
    }

    public static func open(workspace: Workspace, env: String? = nil) throws -> JobQueue {
        let (settings, redis, _) = try settings(workspace: workspace, env: env)
        return JobQueue(redis: try RedisConnection.connect(redis), settings: settings)
    }
}
