import MMPCore
import MMPRedis

/// Every knob of the queue, with the defaults documented in docs/operations.md. Read from the
/// config's `queue:` section (durations as `30s`, `7d`...; sizes in bytes or `1MiB`).
public struct QueueSettings: Sendable, Equatable {
    /// First part of every key (`mmp:{queue}:pending`); tests use their own.
    public var keyPrefix = "mmp"
    public var defaultQueue = "default"
    /// How long a claim is valid without a heartbeat.
    public var lease = 30.0
    /// How often a worker renews its leases and reads cancel flags (at most lease/3 makes sense).
    public var heartbeat = 10.0
    /// How often a worker tries to run the reaper (one runs at a time per queue).
    public var reaperInterval = 2.0
    public var maxAttempts = 3
    /// Deliveries without a verdict (lost leases, crashed children) before a job goes to dead.
    public var maxDeliveries = 5
    public var backoffBase = 5.0
    public var backoffCap = 600.0
    public var jobTimeout = 7200.0
    /// How long succeeded, failed and cancelled records stay.
    public var resultTTL = 7 * 86400.0
    public var deadTTL = 30 * 86400.0
    public var deadCap = 10_000
    /// Entries kept per terminal index (succeeded, failed, cancelled) for listing.
    public var indexCap = 100_000
    public var eventsCap = 10_000
    public var payloadLimit = 1 << 20
    /// Longest an idle worker waits for a wake token before it claims anyway (the only periodic
    /// wake: it catches a token lost with a killed worker).
    public var blockTimeout = 5.0
    /// Wake tokens kept per queue (a burst needs no more: each claim that leaves work behind
    /// puts a token back).
    public var wakeCap = 64
    /// How many inline (no-op) jobs a worker claims and leases per round trip.
    public var inlineBatch = 32
    /// How long a worker that stops refreshing its liveness (every `livenessTTL / 6`) counts as
    /// alive; then its leases are taken back at once, not when they expire.
    public var livenessTTL = 3.0
    /// Releases at shutdown that spend nothing; past them each release counts as a delivery
    /// without a verdict (a job longer than the grace period is not released forever).
    public var maxReleases = 5
    /// `none`: a write is done when the master has it. `replicas`: submit and completion also
    /// wait (WAIT) up to `replicaTimeout` for a replica to have it, and say when none did.
    public var durability = Durability.none
    public var replicaTimeout = 1.0

    public enum Durability: String, Sendable, CaseIterable {
        case none, replicas
    }

    public init() {}

    /// Reads a `queue:` config section; unknown keys are ignored, bad values are errors naming the field.
    public init(section: JSON) throws {
        self.init()
        func duration(_ key: String, _ target: inout Double) throws {
            guard let v = section[key], !v.isNull else { return }
            if let d = v.doubleValue { target = d; return }
            do { target = try DurationParser.seconds(v.plainText) } catch {
                throw MMPError(.invalidConfig, "queue.\(key): \(MMPError.wrap(error).message)")
            }
            guard target >= 0 else { throw MMPError(.invalidConfig, "queue.\(key) must not be negative") }
        }
        func count(_ key: String, _ target: inout Int) throws {
            guard let v = section[key], !v.isNull else { return }
            guard let i = v.intValue ?? QueueSettings.bytes(v.plainText), i > 0 else {
                throw MMPError(.invalidConfig, "queue.\(key): expected a positive whole number, found \(v.typeDescription)")
            }
            target = i
        }
        if let p = section["key_prefix"]?.stringValue, !p.isEmpty { keyPrefix = p }
        if let q = section["default_queue"]?.stringValue, !q.isEmpty { defaultQueue = try QueueName.validated(q) }
        try duration("lease", &lease)
        try duration("heartbeat", &heartbeat)
        try duration("reaper_interval", &reaperInterval)
        // `claim_grace` (ids taken but not yet leased) is gone with the step it guarded: a claim
        // now takes and leases a job at once. Old configs that still set it are accepted.
        try count("max_attempts", &maxAttempts)
        try count("max_deliveries", &maxDeliveries)
        if let b = section["backoff"], !b.isNull {
            try duration2(b["base"], "backoff.base", &backoffBase)
            try duration2(b["cap"], "backoff.cap", &backoffCap)
        }
        try duration("job_timeout", &jobTimeout)
        try duration("result_ttl", &resultTTL)
        try duration("dead_ttl", &deadTTL)
        try count("dead_cap", &deadCap)
        try count("index_cap", &indexCap)
        try count("events_cap", &eventsCap)
        try count("payload_limit", &payloadLimit)
        try duration("block_timeout", &blockTimeout)
        try count("wake_cap", &wakeCap)
        try count("inline_batch", &inlineBatch)
        try duration("liveness_ttl", &livenessTTL)
        try count("max_releases", &maxReleases)
        if let d = section["durability"], !d.isNull {
            guard let value = Durability(rawValue: d.plainText.trimmed()) else {
                throw MMPError(.invalidConfig, "queue.durability: expected none or replicas, found '\(d.plainText)'")
            }
            durability = value
        }
        try duration("replica_timeout", &replicaTimeout)
        guard livenessTTL >= 0.5 else { throw MMPError(.invalidConfig, "queue.liveness_ttl (\(livenessTTL)s) must be at least 0.5s") }
        guard heartbeat > 0, lease > heartbeat else {
            throw MMPError(.invalidConfig, "queue.lease (\(lease)s) must be longer than queue.heartbeat (\(heartbeat)s)")
        }
    }

    private func duration2(_ v: JSON?, _ field: String, _ target: inout Double) throws {
        guard let v, !v.isNull else { return }
        if let d = v.doubleValue { target = d; return }
        do { target = try DurationParser.seconds(v.plainText) } catch {
            throw MMPError(.invalidConfig, "queue.\(field): \(MMPError.wrap(error).message)")
        }
    }

    /// `1048576`, `512KiB`, `1MiB`, `2MB`.
    static func bytes(_ text: String) -> Int? {
        let t = text.trimmed()
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let n = Double(t.dropLast(suffix.count).trimmed()) else { return nil }
            return Int(n * Double(factor))
        }
        return Int(t)
    }

    /// The section as JSON (what `mmp queues settings` prints and the worker reads).
    public var json: JSON {
        var o = JSONObject()
        o["key_prefix"] = .string(keyPrefix)
        o["default_queue"] = .string(defaultQueue)
        o["lease"] = .double(lease)
        o["heartbeat"] = .double(heartbeat)
        o["reaper_interval"] = .double(reaperInterval)
        o["max_attempts"] = .int(maxAttempts)
        o["max_deliveries"] = .int(maxDeliveries)
        o["backoff"] = ["base": .double(backoffBase), "cap": .double(backoffCap)]
        o["job_timeout"] = .double(jobTimeout)
        o["result_ttl"] = .double(resultTTL)
        o["dead_ttl"] = .double(deadTTL)
        o["dead_cap"] = .int(deadCap)
        o["index_cap"] = .int(indexCap)
        o["events_cap"] = .int(eventsCap)
        o["payload_limit"] = .int(payloadLimit)
        o["block_timeout"] = .double(blockTimeout)
        o["wake_cap"] = .int(wakeCap)
        o["inline_batch"] = .int(inlineBatch)
        o["liveness_ttl"] = .double(livenessTTL)
        o["max_releases"] = .int(maxReleases)
        o["durability"] = .string(durability.rawValue)
        o["replica_timeout"] = .double(replicaTimeout)
        return .object(o)
    }

    /// Backoff before retry number `attempt` (1 = after the first failure): `backoff.base *
    /// 2^(attempt-1)`, at most `backoff.cap`, half of it fixed and half random (equal jitter), as
    /// docs/operations.md says.
    public func retryDelay(attempt: Int) -> Double {
        Backoff(base: backoffBase, cap: backoffCap).delay(attempt: max(0, attempt - 1))
    }

    var leaseMillis: String { String(Int(lease * 1000)) }
    var livenessMillis: String { String(Int(livenessTTL * 1000)) }
}

/// Queue names: letters, digits, `_`, `-`, `.`; at most 64 characters. They appear inside
/// Redis keys (`mmp:{name}:pending`) and job ids (`...@name`), so braces, colons and `@` are out.
public enum QueueName {
    public static func validated(_ name: String) throws -> String {
        guard !name.isEmpty, name.count <= 64,
              name.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 || $0 == 45 || $0 == 46 })
        else {
            throw MMPError.invalidInput("queue name '\(name)' is not valid: use 1-64 letters, digits, '_', '-' or '.'")
        }
        return name
    }
}
