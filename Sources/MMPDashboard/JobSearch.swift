import MMPCore
import MMPQueue
import MMPRedis

/// What the jobs page asks for: a queue and state (or all), and filters by id, recipe, worker
/// and submit time. A value without I/O; `JobQueue.search` carries it out.
public struct JobFilter: Sendable, Equatable {
    public var queue: String?
    public var state: JobState?
    /// Part of the id (case-insensitive); a whole id is looked up directly.
    public var id = ""
    /// Part of the recipe name (case-insensitive).
    public var recipe = ""
    /// Part of the worker id (case-insensitive): the worker that ran it last.
    public var worker = ""
    /// Submitted at or after / before (ms since the epoch; the time is in the job id).
    public var fromMillis: Int?
    public var toMillis: Int?
    /// 0-based page of `pageSize` rows.
    public var page = 0

    public static let pageSize = 50
    /// At most this many index entries are looked at for one page, so that one request never
    /// reads the whole of Redis; the page says when it stopped there.
    public static let scanLimit = 20_000

    public init() {}

    /// Whether the record's fields must be read to decide (recipe, worker).
    var readsRecords: Bool { !recipe.isEmpty || !worker.isEmpty }

    /// What can be decided from the id alone.
    func accepts(id candidate: String) -> Bool {
        if !id.isEmpty, !candidate.lowercased().contains(id.lowercased()) { return false }
        if fromMillis != nil || toMillis != nil {
            guard let ms = JobID.milliseconds(of: candidate) else { return false }
            if let fromMillis, ms < fromMillis { return false }
            if let toMillis, ms >= toMillis { return false }
        }
        return true
    }

    func accepts(recipe r: String, worker w: String) -> Bool {
        if !recipe.isEmpty, !r.lowercased().contains(recipe.lowercased()) { return false }
        if !worker.isEmpty, !w.lowercased().contains(worker.lowercased()) { return false }
        return true
    }
}

/// One page of jobs.
public struct JobPage: Sendable {
    public var jobs: [JobRecord]
    /// When each entered the index it was listed from (ms), by id.
    public var since: [String: Int]
    public var hasMore: Bool
    /// Entries looked at; `truncated` when the scan stopped at `JobFilter.scanLimit`.
    public var scanned: Int
    public var truncated: Bool
}

extension JobQueue {
    /// The jobs of a filter, newest first (by when they entered their state: submitted or
    /// requeued for pending, ended for terminal states, run time for scheduled, lease expiry for
    /// active). Reads each index in chunks, merging them, and stops once the page is full or
    /// after `scanLimit` entries: a page costs O(page + entries skipped), never the whole store.
    public func search(_ filter: JobFilter) throws -> JobPage {
        let wanted = (filter.page + 1) * JobFilter.pageSize + 1
        if JobID.isValid(filter.id) {
            let found = try record(filter.id).map { [$0] } ?? []
            let kept = found.filter { r in
                (filter.queue == nil || r.queue == filter.queue) && (filter.state == nil || r.state == filter.state)
                    && filter.accepts(recipe: r.recipe, worker: r.worker)
            }
            return JobPage(jobs: filter.page == 0 ? kept : [], since: [:], hasMore: false, scanned: found.count, truncated: false)
        }
        let queues = try filter.queue.map { [$0] } ?? queueNames()
        let states = filter.state.map { [$0] } ?? JobState.allCases
        var sources = queues.flatMap { q in states.map { IndexSource(queue: q, state: $0) } }
        var matches: [(id: String, at: Int)] = []
        var scanned = 0
        var truncated = false
        // Records read for recipe/worker, in batches of candidates.
        var pending: [(id: String, at: Int)] = []
        func flush() throws {
            guard !pending.isEmpty else { return }
            let replies = try redis.checkedPipeline((pending.map { RedisCommand("HMGET", keys(JobID.queue(of: $0.id) ?? "").job($0.id), "recipe", "worker") }),
                                      "HMGET")
            for (candidate, reply) in zip(pending, replies) {
                let f = reply.array ?? []
                guard f.count == 2, f[0].string != nil || f[1].string != nil else { continue }
                if filter.accepts(recipe: f[0].string ?? "", worker: f[1].string ?? "") { matches.append(candidate) }
            }
            pending.removeAll()
        }
        while matches.count < wanted {
            // Refill the sources that ran dry, all in one round trip.
            let refill = sources.indices.filter { sources[$0].buffer.isEmpty && !sources[$0].exhausted }
            if !refill.isEmpty {
                let replies = try redis.checkedPipeline((refill.map { sources[$0].nextChunk(keys(sources[$0].queue)) }), "search")
                for (i, reply) in zip(refill, replies) { sources[i].take(reply) }
            }
            // The source whose next entry is newest.
            guard let best = sources.indices.filter({ !sources[$0].buffer.isEmpty }).max(by: { sources[$0].buffer[0].at < sources[$1].buffer[0].at })
            else { break }
            let entry = sources[best].buffer.removeFirst()
            scanned += 1
            if scanned > JobFilter.scanLimit { truncated = true; break }
            guard JobID.queue(of: entry.id) == sources[best].queue, filter.accepts(id: entry.id) else { continue }
            if filter.readsRecords {
                pending.append(entry)
                if pending.count >= 500 { try flush() }
            } else {
                matches.append(entry)
            }
        }
        try flush()
        let start = filter.page * JobFilter.pageSize
        let pageEntries = start < matches.count ? Array(matches[start..<min(matches.count, start + JobFilter.pageSize)]) : []
        let replies = try redis.checkedPipeline((pageEntries.map { RedisCommand("HGETALL", keys(JobID.queue(of: $0.id) ?? "").job($0.id)) }), "HGETALL")
        let jobs = replies.compactMap { r -> JobRecord? in
            let fields = r.dictionary
            return fields.isEmpty ? nil : JobRecord(fields: fields)
        }
        return JobPage(jobs: jobs, since: Dictionary(pageEntries.map { ($0.id, $0.at) }, uniquingKeysWith: { a, _ in a }),
                       hasMore: matches.count > start + JobFilter.pageSize, scanned: min(scanned, JobFilter.scanLimit), truncated: truncated)
    }
}

/// One index (a queue's pending list or a state's sorted set) read newest first, in chunks.
struct IndexSource {
    let queue: String
    let state: JobState
    var offset = 0
    var exhausted = false
    var buffer: [(id: String, at: Int)] = []
    /// Pending entries carry no time: the id's, kept from rising so the merge stays ordered.
    var lastAt = Int.max

    static let chunk = 500

    init(queue: String, state: JobState) {
        self.queue = queue
        self.state = state
    }

    func nextChunk(_ k: QueueKeys) -> RedisCommand {
        let end = String(offset + IndexSource.chunk - 1)
        if state == .queued { return RedisCommand("LRANGE", k.pending, String(offset), end) }
        return RedisCommand("ZREVRANGE", k.index(state)!, String(offset), end, "WITHSCORES")
    }

    mutating func take(_ reply: RedisReply) {
        let items = reply.array ?? []
        if state == .queued {
            for item in items {
                guard let id = item.string else { continue }
                lastAt = min(lastAt, JobID.milliseconds(of: id) ?? 0)
                buffer.append((id, lastAt))
            }
            offset += items.count
            if items.count < IndexSource.chunk { exhausted = true }
        } else {
            var i = 0
            while i + 1 < items.count {
                if let id = items[i].string { buffer.append((id, Int(Double(items[i + 1].string ?? "") ?? 0))) }
                i += 2
            }
            offset += items.count / 2
            if items.count / 2 < IndexSource.chunk { exhausted = true }
        }
    }
}
