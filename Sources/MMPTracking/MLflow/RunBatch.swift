import MMPCore

/// One metric value at a step (a tuning trial's score is `trial_score` at step = trial number).
public struct MetricPoint: Sendable, Equatable {
    public var key: String
    public var value: Double
    public var timestampMillis: Int
    public var step: Int
    public init(key: String, value: Double, timestampMillis: Int, step: Int = 0) {
        self.key = key; self.value = value; self.timestampMillis = timestampMillis; self.step = step
    }
}

/// Params, metrics and tags for a run, split into `log-batch` requests within MLflow's limits:
/// at most 1000 metrics, 100 params and 100 tags per request, 1000 entities in all; param values
/// up to 6000 characters and tag values up to 8000 (longer ones are cut, marked with `…`); keys
/// of at most 250 characters from letters, digits, `_ - . / :` and spaces. Non-finite metric
/// values are left out (JSON cannot carry them). A pure value: no I/O.
public struct RunBatch: Sendable, Equatable {
    public static let maxMetrics = 1000, maxParams = 100, maxTags = 100, maxEntities = 1000
    public static let maxParamValue = 6000, maxTagValue = 8000, maxKey = 250

    public var params: [(String, String)] = []
    public var metrics: [MetricPoint] = []
    public var tags: [(String, String)] = []

    public init(params: [(String, String)] = [], metrics: [MetricPoint] = [], tags: [(String, String)] = []) {
        self.params = params; self.metrics = metrics; self.tags = tags
    }

    public static func == (a: RunBatch, b: RunBatch) -> Bool {
        a.params.map { [$0.0, $0.1] } == b.params.map { [$0.0, $0.1] } && a.metrics == b.metrics
            && a.tags.map { [$0.0, $0.1] } == b.tags.map { [$0.0, $0.1] }
    }

    public var isEmpty: Bool { params.isEmpty && metrics.isEmpty && tags.isEmpty }

    /// The request bodies (without `run_id`), in order: params first, then metrics, then tags.
    public func requests() -> [JSONObject] {
        var params = RunBatch.deduplicated(RunBatch.clean(params, limit: RunBatch.maxParamValue))
        var metrics = metrics.filter { $0.value.isFinite }.map { m -> MetricPoint in
            var m = m; m.key = RunBatch.key(m.key); return m
        }
        var tags = RunBatch.clean(tags: tags)
        var out: [JSONObject] = []
        while !params.isEmpty || !metrics.isEmpty || !tags.isEmpty {
            let p = Array(params.prefix(RunBatch.maxParams))
            params.removeFirst(p.count)
            let m = Array(metrics.prefix(min(RunBatch.maxMetrics, RunBatch.maxEntities - p.count)))
            metrics.removeFirst(m.count)
            let t = Array(tags.prefix(min(RunBatch.maxTags, RunBatch.maxEntities - p.count - m.count)))
            tags.removeFirst(t.count)
            var body = JSONObject()
            if !p.isEmpty { body["params"] = .array(p.map { ["key": .string($0.0), "value": .string($0.1)] }) }
            if !m.isEmpty {
                body["metrics"] = .array(m.map {
                    ["key": .string($0.key), "value": .double($0.value), "timestamp": .int($0.timestampMillis), "step": .int($0.step)]
                })
            }
            if !t.isEmpty { body["tags"] = .array(t.map { ["key": .string($0.0), "value": .string($0.1)] }) }
            out.append(body)
        }
        return out
    }

    /// Tags with valid keys and values cut to MLflow's limit.
    static func clean(tags: [(String, String)]) -> [(String, String)] { clean(tags, limit: maxTagValue) }

    static func clean(_ pairs: [(String, String)], limit: Int) -> [(String, String)] {
        pairs.map { (key($0.0), $0.1.count > limit ? String($0.1.prefix(limit - 1)) + "…" : $0.1) }
    }

    /// MLflow refuses a batch that logs one param twice: the last value wins here.
    static func deduplicated(_ pairs: [(String, String)]) -> [(String, String)] {
        var index: [String: Int] = [:]
        var out: [(String, String)] = []
        for (k, v) in pairs {
            if let i = index[k] { out[i].1 = v } else { index[k] = out.count; out.append((k, v)) }
        }
        return out
    }

    /// A key MLflow accepts: other characters become `_`.
    public static func key(_ raw: String) -> String {
        var out = String(raw.unicodeScalars.map { s -> Character in
            let ok = (s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s))) || "_-./: ".unicodeScalars.contains(s)
            return ok ? Character(s) : "_"
        })
        if out.count > maxKey { out = String(out.prefix(maxKey)) }
        return out.isEmpty ? "_" : out
    }
}
