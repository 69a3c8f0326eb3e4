import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing
@testable import MMPWorker

/// deploy/kubernetes/: the manifests agree with the worker and with each other, and every key
/// the autoscaler reads is a key the queue really writes.
@Suite struct KubernetesManifestTests {
    @Test func theManifestsAgreeWithTheWorkerAndEachOther() throws {
        let m = try KubernetesManifests()
        // The worker's arguments are ones mmp-worker accepts, and the probe checks the health
        // file the worker writes.
        #expect(m.workerArguments.first == "mmp-worker")
        let worker = try WorkerArguments.parse(Array(m.workerArguments.dropFirst()))
        #expect(worker.action == .run)
        let healthFile = try #require(worker.healthFile)
        #expect(m.probeCommand.first == "mmp-worker")
        let probe = try WorkerArguments.parse(Array(m.probeCommand.dropFirst()))
        #expect(probe.action == .health && probe.healthFile == healthFile)
        // Kubernetes waits longer than the worker needs to stop cleanly after SIGTERM.
        let termination = try #require(m.podSpec?["terminationGracePeriodSeconds"]?.int)
        let window = WorkerStateMachine.Configuration(grace: worker.grace).shutdownWriteWindow
        #expect(Double(termination) > worker.grace + window)
        // The password comes from the secret the autoscaler reads too, never from the manifest.
        let env = m.environment
        #expect(env["REDIS_PASSWORD"] == "secret:mmp-redis/password")
        let secret = try #require(m.triggerAuthentication["spec"]?["secretTargetRef"]?.array().first)
        #expect(secret["name"]?.string == "mmp-redis" && secret["key"]?.string == "password" && secret["parameter"]?.string == "password")
        #expect(m.scaledObject["spec"]?["scaleTargetRef"]?["name"]?.string == m.deployment["metadata"]?["name"]?.string)
        #expect(m.scaledObject["spec"]?["minReplicaCount"]?.int == 0)
        for trigger in m.triggers {
            #expect(trigger.type == "redis")
            #expect(trigger.authentication == m.triggerAuthentication["metadata"]?["name"]?.string)
            #expect(trigger.hostFromEnv.flatMap { env[$0] } != nil && trigger.portFromEnv.flatMap { env[$0] } != nil)
        }
    }

    @Test func everyKeyTheAutoscalerReadsIsAKeyTheQueueWrites() throws {
        let m = try KubernetesManifests()
        // A Redis of the test's own with the queue's defaults (key prefix mmp, queue default),
        // which the shipped manifests name.
        let redis = try OwnRedis()
        let q = JobQueue(redis: try redis.connect(), settings: QueueSettings())
        try q.loadScripts()
        _ = try q.submit(.init(queue: "default", payload: JobPayload(kind: .noop)))
        _ = try q.submit(.init(queue: "default", payload: JobPayload(kind: .noop)))
        _ = try q.submit(.init(queue: "default", payload: JobPayload(kind: .noop), delay: 3600))
        _ = try q.claim(queue: "default", ClaimRequest(worker: "w", token: "t"))
        let written = Set((try q.redis.command("KEYS", "*").array ?? []).compactMap(\.string))
        let named = m.triggers.map(\.listName)
        #expect(!named.isEmpty)
        for key in named {
            #expect(written.contains(key), "the ScaledObject reads \(key), which the queue does not write")
            #expect(["list", "zset"].contains(try q.redis.command("TYPE", key).string ?? ""))
            #expect(try FakeKedaRedisScaler.length(of: key, in: q.redis) == 1)
        }
        let k = q.keys("default")
        #expect(Set(named) == [k.pending, k.scheduled, k.active])
        #expect(try m.scaler.replicas(q.redis) == 1)
    }
}
