import MMPCore
import MMPRedis

/// What a worker checks at start (design §3.7): Redis 7.0 or newer (the queue's scripts declare
/// their writes with script flags, so that Redis refuses them before they run when it cannot
/// write), an eviction policy that never drops queue keys, and persistence.
public enum ServerCheck {
    public struct Result: Sendable {
        public var version: String
        public var maxmemoryPolicy: String
        public var appendOnly: Bool
        /// Loud warnings to log (empty when all is well).
        public var warnings: [String]
    }

    public static func run(_ redis: RedisConnection) throws -> Result {
        let server = try redis.info("server")
        let memory = try redis.info("memory")
        let persistence = try redis.info("persistence")
        return try judge(endpoint: redis.settings.endpoint, server: server, memory: memory, persistence: persistence)
    }

    /// The verdict on `INFO` sections (no I/O).
    public static func judge(endpoint: String, server: [String: String], memory: [String: String], persistence: [String: String]) throws -> Result {
        let version = server["redis_version"] ?? "0"
        let parts = version.split(separator: ".").map { Int($0) ?? 0 }
        guard (parts.first ?? 0) >= 7 else {
            throw MMPError(.invalidConfig, "redis \(endpoint) is version \(version); the queue needs Redis 7.0 or newer (its scripts declare their writes with script flags)")
        }
        let policy = memory["maxmemory_policy"] ?? "unknown"
        var warnings: [String] = []
        if policy != "noeviction" {
            warnings.append("redis \(endpoint) has maxmemory-policy \(policy): under memory pressure Redis may evict queue keys and lose jobs; set maxmemory-policy noeviction")
        }
        let appendOnly = persistence["aof_enabled"] == "1"
        if !appendOnly {
            warnings.append("redis \(endpoint) has no append-only file (appendonly no): a Redis restart loses every job and result since its last snapshot; set appendonly yes (appendfsync everysec loses at most about a second of writes on a host crash; see docs/operations.md)")
        }
        return Result(version: version, maxmemoryPolicy: policy, appendOnly: appendOnly, warnings: warnings)
    }
}
