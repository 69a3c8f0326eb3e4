import MMPQueue
import MMPRedis

/// What `mmp dashboard` was started with.
public struct DashboardOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Every action hidden and refused (403).
    public var readOnly = false
    /// `MMP_DASHBOARD_TOKEN`: required on every request when set (Bearer, or a basic-auth password).
    public var token: String?
    /// How often the overview page asks for fresh numbers, in seconds.
    public var refreshSeconds = 2.0
    public var queueSettings: QueueSettings
    public var redis: RedisSettings

    public init(queueSettings: QueueSettings, redis: RedisSettings) {
        self.queueSettings = queueSettings
        self.redis = redis
    }
}
