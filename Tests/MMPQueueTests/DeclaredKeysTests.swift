import MMPCore
import MMPRedis
import MMPTestSupport
import Synchronization
import Testing
@testable import MMPQueue

/// Redis Cluster readiness (design §3.6): every key a script touches is passed in KEYS. Each
/// script call of a whole lifecycle runs as an ACL user allowed exactly the keys of that call
/// (`~key` patterns); a script that touched any other key would fail ("can't access at least
/// one of the keys").
@Suite struct DeclaredKeysTests {
    /// Runs every script call of a queue as `keys-probe`, re-scoped to the call's KEYS.
    final class Probe: Sendable {
        let admin: RedisConnection
        let scoped: RedisConnection
        let seen = Mutex<Set<String>>([])
        let calls = Mutex(0)

        init(_ redis: OwnRedis) throws {
            admin = try redis.connect()
            try admin.command("ACL", "SETUSER", "keys-probe", "reset", "on", "nopass", "+@all", "&*")
            scoped = try RedisConnection.connect(RedisSettings(host: "127.0.0.1", port: redis.port, username: "keys-probe", password: "x"))
        }

        static func pattern(_ key: String) -> String {
            var out = "~"
            for c in key {
                if "*?[]\\".contains(c) { out.append("\\") }
                out.append(c)
            }
            return out
        }

        func run(_ batch: [JobQueue.ScriptCall]) throws -> [RedisReply] {
            try batch.map { call in
                try admin.command(["ACL", "SETUSER", "keys-probe", "resetkeys"] + Set(call.keys).map(Probe.pattern))
                seen.withLock { _ = $0.insert(call.script.name) }
                calls.withLock { $0 += 1 }
                return try scoped.send(RedisConnection.evalCommand(call.script, keys: call.keys, arguments: call.arguments, bySHA: false))
            }
        }
    }

    @Test func everyScriptTouchesOnlyTheKeysItDeclares() throws {
        let redis = try OwnRedis()
        let probe = try Probe(redis)
        func queue(_ tune: (inout QueueSettings) -> Void = { _ in }) throws -> JobQueue {
            let q = try makeQueue(url: redis.url) {
                $0.lease = 0.2; $0.heartbeat = 0.05; $0.deadCap = 1; $0.indexCap = 1; $0.livenessTTL = 0.5; $0.maxReleases = 1
                tune(&$0)
            }
            q.scriptRunner = { try probe.run($0) }
            return q
        }
        let q = try queue()
        let k = q.keys("default")

        // Submits (one with an idempotency key, twice), malformed entries, a batch, completions.
        let keyed = try q.submit(.init(queue: "default", payload: noop(0), idempotencyKey: "nightly"))
        #expect(try q.submit(.init(queue: "default", payload: noop(0), idempotencyKey: "nightly")).id == keyed.id)
        try q.redis.command("LPUSH", k.pending, "garbage")
        try q.redis.command("LPUSH", k.pending, "0000000000aaaaaaaaaa@default")
        var ids: [String] = []
        for i in 1...4 { ids.append(try q.submit(.init(queue: "default", payload: noop(i))).id) }
        let train = try q.submit(.init(queue: "default", payload: JobPayload(kind: .diagnostic))).id
        var claim = try q.claim(queue: "default", ClaimRequest(worker: "w", token: "t1", batch: 8))
        while claim.jobs.isEmpty { claim = try q.claim(queue: "default", ClaimRequest(worker: "w", token: "t1", batch: 8)) }
        let batch = claim.jobs
        #expect(batch.contains { $0.lease.id == keyed.id })
        let out = try q.completeAndClaim(queue: "default", completions: batch.map { ($0.lease, [:]) },
                                         next: ClaimRequest(worker: "w", token: "t2", batch: 8, candidates: claim.peek))
        #expect(out.completions.allSatisfy { $0 == .ok })
        var rest = out.next.jobs
        while rest.first?.lease.id != train {
            let more = try q.claim(queue: "default", ClaimRequest(worker: "w", token: "t3", batch: 8))
            if !more.jobs.isEmpty { rest = more.jobs; if more.jobs.first?.runsInline == true {
                _ = try q.completeAndClaim(queue: "default", completions: more.jobs.map { ($0.lease, [:]) }, next: nil)
            } }
        }
        let trainLease = rest[0].lease

        // A running job: heartbeat, progress, cancel, finish-cancelled.
        #expect(try q.heartbeat([trainLease]) == [.ok])
        #expect(try q.progress(trainLease, event: "progress", stage: "fit", progress: 0.5))
        #expect(try q.cancel(train) == .cancelling)
        #expect(try q.finishCancelled(trainLease) == .ok)

        // A single completion that claims the next job in the same step.
        let d1 = try q.submit(.init(queue: "default", payload: noop(20))).id
        let d2 = try q.submit(.init(queue: "default", payload: noop(21))).id
        let single = try q.claim(queue: "default", ClaimRequest(worker: "w", token: "s1"))
        #expect(single.jobs.map(\.lease.id) == [d1])
        let (done, following) = try q.complete(single.jobs[0].lease, result: ["ok": true],
                                              next: ClaimRequest(worker: "w", token: "s2", candidates: single.peek))
        #expect(done == .ok && following.jobs.map(\.lease.id) == [d2])
        #expect(try q.complete(following.jobs[0].lease, result: [:]).0 == .ok)

        // Failures of every mode, a delay promoted, a release, a retry.
        let a = try q.submit(.init(queue: "default", payload: noop(10), maxAttempts: 2)).id
        var job = try q.claimNext()
        #expect(job.lease.id == a)
        #expect(try q.fail(job.lease, mode: .retry, kind: "io", message: "x", backoff: 0).state == .scheduled)
        Backoff.sleep(0.01)
        #expect(try q.reapNow().promoted == 1)
        job = try q.claimNext()
        #expect(try q.fail(job.lease, mode: .crash, kind: "internal", message: "x", backoff: 0).state == .scheduled)
        Backoff.sleep(0.01)
        _ = try q.reapNow()
        job = try q.claimNext()
        #expect(try q.release(job.lease) == .requeued(releases: 1))
        job = try q.claimNext()
        #expect(try q.fail(job.lease, mode: .permanent, kind: "sql", message: "x", backoff: 0).state == .failed)
        #expect(try q.retry(a).holdsIdempotencyKey == false)
        job = try q.claimNext()
        #expect(try q.cancel(a) == .cancelling)
        #expect(try q.release(job.lease) == .cancelled)
        let b = try q.submit(.init(queue: "default", payload: noop(11))).id
        job = try q.claimNext()
        #expect(try q.fail(job.lease, mode: .dead, kind: "invalid_input", message: "x", backoff: 0).state == .dead)
        #expect(try q.cancel(try q.submit(.init(queue: "default", payload: noop(12), delay: 60)).id) == .cancelled)
        _ = b

        // An expired lease, a dead worker's lease, trimming past the caps, a nudge.
        let c = try q.submit(.init(queue: "default", payload: noop(13))).id
        #expect(try q.claimNext(worker: "gone").lease.id == c)
        Backoff.sleep(0.25)
        let reaped = try q.reapNow()
        let pendingNow = try q.pendingIDs()
        #expect(reaped.requeued >= 1 && pendingNow.contains(c), "\(reaped) \(pendingNow)")
        #expect(try q.reapNow().trimmed == 0)
        var doomed = Liveness()
        _ = try q.refreshLiveness(worker: "doomed", queues: ["default"], liveness: &doomed)
        #expect(try q.claimNext(worker: "doomed").lease.id == c)
        var watcher = Liveness()
        var dead: [String: [String]] = [:]
        for _ in 0..<40 where dead.isEmpty {
            dead = try q.refreshLiveness(worker: "watcher", queues: ["default"], liveness: &watcher)
            Backoff.sleep(0.05)
        }
        #expect(dead == ["default": ["doomed"]])
        #expect(try q.reclaim(queue: "default", workers: ["doomed"]).requeued == 1)
        try q.nudge(["default"])
        #expect(probe.seen.withLock { $0 } == Set(QueueScripts.all.map(\.name)))
        #expect(probe.calls.withLock { $0 } > 40)
    }

    /// The probe itself: a script touching a key it did not declare is refused (an ACL error).
    @Test func theProbeRefusesAnUndeclaredKey() throws {
        let redis = try OwnRedis()
        let probe = try Probe(redis)
        let sneaky = RedisScript(name: "sneaky", source: "#!lua\nreturn redis.call('GET', KEYS[1] .. ':other')")
        let reply = try probe.run([JobQueue.ScriptCall(script: sneaky, keys: ["mmp:{q}:declared"], arguments: [])])
        #expect(reply.first?.errorMessage?.contains("can't access at least one of the keys") == true, "\(reply)")
    }
}
