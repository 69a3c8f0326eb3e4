#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

/// A worker killed with -9 mid-job on the HA setups: its liveness key and registration (global
/// keys: a hash tag of their own on a cluster) run out and another worker takes the job back,
/// with the queue's default lease and liveness settings. The 30 s bound is generous (the 5 s
/// goal is measured on one Redis by FleetResilienceTests and in docs/performance.md); what this
/// checks is that recovery works at all when the keys are spread over masters or behind sentinels.
@Suite(.serialized) struct HAFleetRecoveryTests {
    /// Starts "doomed" alone, gives it a 25 s job, starts "rescuer", kills doomed with -9 while
    /// the job still runs and expects the job to succeed on rescuer, with one lost delivery and
    /// one run to its end.
    static func killMidJob(_ fleet: HAFleet, queue name: String) throws {
        let doomed = try fleet.startWorker(queues: [name], arguments: ["--worker-id", "doomed"])
        let id = try fleet.submit(queue: name, seconds: 25, key: "long")
        #expect(waitUntil(30, interval: 0.1) { (try? fleet.queue.record(id)).flatMap { $0 }.map { $0.worker == "doomed" && $0.state == .active } ?? false },
                "\(fleet.logs().suffix(3000))")
        try fleet.startWorker(queues: [name], arguments: ["--worker-id", "rescuer"])
        #expect(waitUntil(30, interval: 0.1) { ((try? fleet.queue.workers()) ?? []).count == 2 })
        // The rescuer's liveness verdicts start one ttl after its own start.
        Backoff.sleep(fleet.queue.settings.livenessTTL + 0.5)
        try #require(fleet.runs().isEmpty && (try fleet.queue.record(id))?.worker == "doomed",
                     "the job must still run on doomed when it is killed\n\(fleet.logs().suffix(3000))")

        doomed.signal(SIGKILL)
        _ = doomed.wait(timeout: 5)
        let killed = Timestamp.monotonic()
        let taken = waitUntil(30, interval: 0.05) {
            (try? fleet.queue.record(id)).flatMap { $0 }.map { $0.worker == "rescuer" && $0.state == .active } ?? false
        }
        print("\(fleet.prefix): after kill -9 the job was running on another worker \(JSON.format(((Timestamp.monotonic() - killed) * 100).rounded() / 100))s later")
        #expect(taken, "\(fleet.logs().suffix(3000))")
        #expect(waitUntil(60, interval: 0.2) { fleet.allSucceeded([id]) }, "\(fleet.logs().suffix(3000))")
        fleet.stopWorkers()
        let r = try #require(try fleet.queue.record(id))
        #expect(r.state == .succeeded && r.worker == "rescuer" && r.deliveries == 2 && r.lostDeliveries == 1, "\(r.fields)")
        // The killed run never got to its end; the rescuer's run did, once.
        #expect(fleet.runs() == [id: 1])
    }

    @Test func onAClusterAKilledWorkersJobIsTakenBack() throws {
        let nodes = try TestEnvironment.clusterNodes()
        // The queue on the second master, the fleet's global keys wherever their hash tag lands.
        let name = try ClusterAdmin.tag(on: nodes[1], prefix: "kq\(UInt32.random(in: 0...UInt32.max))-")
        let settings = RedisSettings(host: nodes[0].host, port: nodes[0].port, connectTimeout: 2, commandTimeout: 5)
        let fleet = try HAFleet(label: "cluster-kill", settings: settings, redisSection: "    url: redis://\(nodes[0])",
                                heartbeat: "10s")
        try HAFleetRecoveryTests.killMidJob(fleet, queue: name)
    }
}

// In the failover suite: one at a time on the shared sentinel set (a failover refuses writes for
// seconds, NOREPLICAS, which would hold this test's worker up).
extension FleetFailoverTests {
    @Test func behindSentinelsAKilledWorkersJobIsTakenBack() throws {
        let master = "mmp-fleet"
        try SentinelAdmin.waitUntilReady(master)
        let sentinels = try TestEnvironment.sentinels().map(\.description).joined(separator: ",")
        let fleet = try HAFleet(label: "sentinel-kill", settings: try TestEnvironment.sentinelSettings(master: master),
                                redisSection: "    url: \"\"\n    sentinels: \(sentinels)\n    sentinel_master: \(master)",
                                heartbeat: "10s")
        try HAFleetRecoveryTests.killMidJob(fleet, queue: "ha-kill")
    }
}
