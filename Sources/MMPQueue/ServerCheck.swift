import MMPCore
import MMPRedis

/// What a worker checks at start (design §3.7): Redis 6.2 or newer (the floor the design sets), and an
/// eviction policy that never drops queue keys.
public enum ServerCheck {
    public struct Result: Sendable {
        public var version: String
        public var maxmemoryPolicy: String
        /// Loud warnings to log (empty when all is well).
        public var warnings: [String]
    }

    public static func run(_ redis: RedisConnection) throws -> Result {
        let server = try redis.info("server")
        let memory = try redis.info("memory")
        let version = server["redis_version"] ?? "0"
        let parts = version.split(separator: ".").map { Int($0) ?? 0 }
        let major = parts.first ?? 0, minor = parts.count > 1 ? parts[1] : 0
        guard major > 6 || (major == 6 && minor >= 2) else {
            throw MMPError(.invalidConfig, "redis \(redis.settings.endpoint) is version \(version); the queue needs Redis 6.2 or newer")
        }
        let policy = memory["maxmemory_policy"] ?? "unknown"
        var warnings: [String] = []
        if policy != "noeviction" {
            warnings.append("redis \(redis.settings.endpoint) has maxmemory-policy \(policy): under memory pressure Redis may evict queue keys and lose jobs; set maxmemory-policy noeviction")
        }
        return Result(version: version, maxmemoryPolicy: policy, warnings: warnings)
    }
}
