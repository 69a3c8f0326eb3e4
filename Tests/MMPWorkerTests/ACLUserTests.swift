import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

/// The ACL rules docs/redis.md gives a worker and a submitter, checked on a Redis of the test's
/// own whose `default` user is off: a real `mmp-worker` as `mmp-worker`, the queue's client calls
/// as `mmp-submitter`, nothing refused along the way (ACL LOG stays empty), and what the rules
/// leave out refused.
@Suite(.serialized) struct ACLUserTests {
    /// The `ACL SETUSER mmp-...` lines of docs/redis.md, with passwords filled in.
    func documentedRules(worker: String, submitter: String) throws -> [[String]] {
        let page = try readFile("\(TestEnvironment.repoRoot)/docs/redis.md")
        let lines = page.split(separator: "\n").map(String.init).filter { $0.hasPrefix("ACL SETUSER mmp-") }
        try #require(lines.count == 2, "docs/redis.md should give one ACL SETUSER line for the worker and one for the submitter")
        return lines.map { line in
            line.split(separator: " ").map(String.init).map {
                $0 == ">WORKER_PASSWORD" ? ">" + worker : $0 == ">SUBMITTER_PASSWORD" ? ">" + submitter : $0
            }
        }
    }

    func password() -> String { "pw-\(UInt64.random(in: 0...UInt64.max))" }

    @Test func documentedUsersRunTheFleetAndNothingElse() throws {
        let server = try OwnRedis()
        let workerPassword = password(), submitterPassword = password(), adminPassword = password()
        let setup = try server.connect()
        try setup.command("ACL", "SETUSER", "admin", "on", ">" + adminPassword, "~*", "&*", "+@all")
        for rule in try documentedRules(worker: workerPassword, submitter: submitterPassword) { try setup.command(rule) }
        try setup.command("ACL", "SETUSER", "default", "off")
        setup.close()
        let admin = try RedisConnection.connect(RedisSettings(port: server.port, username: "admin", password: adminPassword))
        try admin.command("ACL", "LOG", "RESET")
        #expect(throws: MMPError.self) { try RedisConnection.connect(RedisSettings(port: server.port)).command("PING") }

        let workerURL = "redis://mmp-worker:\(workerPassword)@127.0.0.1:\(server.port)/0"
        let submitter = RedisSettings(port: server.port, username: "mmp-submitter", password: submitterPassword)
        let fleet = try HAFleet(label: "acl", settings: submitter, redisSection: "    url: ${REDIS_URL}", lease: "5s", heartbeat: "500ms",
                                keyPrefix: "mmp", environment: ["REDIS_URL": workerURL])
        try fleet.startWorker(queues: ["acl"], concurrency: 2)
        let q = fleet.queue
        // The submitter's side: submit (with an idempotency key too), list, counts, watch.
        var sleepers: [String] = []
        for i in 0..<8 { sleepers.append(try fleet.submit(queue: "acl", seconds: 0.1, key: "s\(i)")) }
        let failing = try q.submit(.init(queue: "acl", payload: JobPayload(kind: .diagnostic, options: JSONObject([
            ("action", "fail"), ("kind", "invalid_input"), ("message", "on purpose"),
        ])))).id
        let long = try q.submit(.init(queue: "acl", payload: JobPayload(kind: .diagnostic, options: JSONObject([("action", "sleep"), ("seconds", 30)])))).id
        #expect(waitUntil(60, interval: 0.1) { (try? q.record(long)?.state) == .active })
        #expect(try q.cancel(long) == .cancelling)
        #expect(waitUntil(60, interval: 0.2) {
            fleet.allSucceeded(sleepers) && (try? q.record(long)?.state) == .cancelled && (try? q.record(failing)?.state) == .failed
        }, "\(String(fleet.logs().suffix(3000)))")
        _ = try q.retry(failing)
        #expect(waitUntil(60, interval: 0.2) { (try? q.record(failing)?.state) == .failed && (try? q.record(failing)?.attempts) == 1 })
        #expect(try q.counts(queues: ["acl"]).first?.succeeded == 8)
        #expect(try q.list(queues: ["acl"], limit: 50).count == 10)
        #expect(try q.queueNames() == ["acl"])
        #expect(try q.workers().count == 1)
        let (events, _) = try q.events(after: ["acl": "0"], block: 0.1)
        #expect(events.contains { $0.name == "cancelled" })
        fleet.stopWorkers()

        // Nothing was refused on the way: not a command, not a key, not a channel.
        let log = try admin.command("ACL", "LOG").array ?? []
        let refusals = Set(log.map { entry in
            let e = entry.dictionary
            return "\(e["username"] ?? "?") \(e["reason"] ?? "?") \(e["context"] ?? "?") \(e["object"] ?? "?")"
        })
        #expect(log.isEmpty, "ACL LOG: \(refusals.sorted())")
        #expect(!fleet.logs().contains("NOPERM"))

        // What the rules leave out is refused, for both users.
        let worker = try RedisConnection.connect(try RedisSettings(url: workerURL))
        let submitterConnection = try RedisConnection.connect(submitter)
        for c in [worker, submitterConnection] {
            for refused in [["FLUSHALL"], ["CONFIG", "GET", "maxmemory"], ["KEYS", "*"], ["GET", "other:key"], ["SET", "other:key", "x"],
                            ["SHUTDOWN"], ["MONITOR"], ["CLIENT", "KILL", "ID", "1"], ["ACL", "WHOAMI"]] {
                let reply = try c.send(RedisCommand(refused))
                #expect(reply.errorMessage?.hasPrefix("NOPERM") == true, "\(refused): \(reply)")
            }
            let script = RedisScript(name: "outside", source: "return redis.call('GET', 'other:key')")
            #expect(throws: MMPError.self) { try c.evaluate(script, keys: ["mmp:{x}:k"], arguments: []) }
        }
        // Only the worker waits for work and listens for cancels.
        #expect(try submitterConnection.send(RedisCommand("BLPOP", "mmp:{acl}:wake", "0.1"), blockSeconds: 0.1).errorMessage?.hasPrefix("NOPERM") == true)
        #expect(try submitterConnection.send(RedisCommand("SUBSCRIBE", "mmp:{acl}:cancel")).errorMessage?.hasPrefix("NOPERM") == true)
        #expect((try admin.command("ACL", "LOG").array ?? []).count >= 10)
    }
}
