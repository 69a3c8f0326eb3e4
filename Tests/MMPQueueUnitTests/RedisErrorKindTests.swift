import MMPCore
import MMPQueue
import MMPRedis
import Testing

/// Error replies are typed: Redis refusing for now is "unavailable, retry" (a `.connection`
/// error), never an answer; anything else is an error that retrying will not fix.
@Suite struct RedisErrorKindTests {
    @Test(arguments: [
        ("OOM command not allowed when used memory > 'maxmemory'.", RedisErrorKind.outOfMemory),
        ("READONLY You can't write against a read only replica.", .readOnly),
        ("LOADING Redis is loading the dataset in memory", .loading),
        ("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", .busy),
        ("TRYAGAIN Multiple keys request during rehashing of slot", .tryAgain),
        ("CLUSTERDOWN The cluster is down", .clusterDown),
        ("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", .masterDown),
        ("NOREPLICAS Not enough good replicas to write.", .noReplicas),
        // Redis 6 wraps a failed call inside a script: the inner code decides.
        ("ERR Error running script (call to f_0123): @user_script:5: @user_script: 5: -OOM command not allowed when used memory > 'maxmemory'.",
         .outOfMemory),
    ])
    func unavailableKinds(_ message: String, _ kind: RedisErrorKind) {
        #expect(RedisErrorKind(reply: message) == kind)
        #expect(kind.isUnavailable)
        let error = MMPError.redisReply(message, endpoint: "127.0.0.1:6379", what: "script complete")
        #expect(error.kind == .connection && error.isRetryable)
        #expect(error.message == "redis 127.0.0.1:6379: script complete refused: \(message)")
    }

    @Test(arguments: [
        ("ERR wrong number of arguments for 'hset' command", RedisErrorKind.other("ERR")),
        ("WRONGTYPE Operation against a key holding the wrong kind of value", .other("WRONGTYPE")),
        ("NOPERM this user has no permissions to access one of the keys used as arguments", .noPermission),
        ("NOSCRIPT No matching script. Please use EVAL.", .noScript),
        ("MOVED 3999 127.0.0.1:6381", .moved),
        ("ASK 3999 127.0.0.1:6381", .ask),
        ("WRONGPASS invalid username-password pair or user is disabled.", .authentication),
        ("ERR Error running script (call to f_0123): @user_script:1: Script attempted to access nonexistent global variable 'x'", .other("ERR")),
    ])
    func kindsThatRetryingWillNotFix(_ message: String, _ kind: RedisErrorKind) {
        #expect(RedisErrorKind(reply: message) == kind)
        #expect(!kind.isUnavailable)
        #expect(MMPError.redisReply(message, endpoint: "h:1", what: "X").kind == .internal)
    }

    @Test func theServerCheckWantsRedisSevenAndWarnsWithoutAnAppendOnlyFile() throws {
        let old = #expect(throws: MMPError.self) {
            try ServerCheck.judge(endpoint: "h:1", server: ["redis_version": "6.2.14"], memory: [:], persistence: [:])
        }
        #expect(old?.kind == .invalidConfig && old?.message.contains("Redis 7.0 or newer") == true)
        let good = try ServerCheck.judge(endpoint: "h:1", server: ["redis_version": "7.0.15"], memory: ["maxmemory_policy": "noeviction"],
                                         persistence: ["aof_enabled": "1"])
        #expect(good.warnings.isEmpty && good.appendOnly)
        let risky = try ServerCheck.judge(endpoint: "h:1", server: ["redis_version": "7.2.4"], memory: ["maxmemory_policy": "allkeys-lru"],
                                          persistence: ["aof_enabled": "0"])
        #expect(risky.warnings.count == 2)
        #expect(risky.warnings[1].contains("no append-only file") && risky.warnings[1].contains("appendfsync everysec"))
    }
}
