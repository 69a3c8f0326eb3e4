#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

/// The fleet commands of the real `mmp` binary against the test Redis.
@Suite(.serialized) struct CLITests {
    /// Runs `mmp ARGS` with the fleet's config; returns (exit code, stdout+stderr).
    func mmp(_ fleet: Fleet, _ arguments: [String]) throws -> (Int32, String) {
        let out = "\(fleet.directory)/mmp-\(UInt32.random(in: 0...UInt32.max)).out"
        let p = try SpawnedProcess("\(fleet.binDir)/mmp", arguments,
                                   environment: ["MMP_CONFIG_DIR": fleet.directory, "APP_ENV": "local"], log: out)
        guard let status = p.wait(timeout: 30) else { p.signal(SIGKILL); throw MMPError(.timeout, "mmp \(arguments) did not finish") }
        return (status, try readFile(out))
    }

    @Test func anInvalidRecipeIsNeverQueued() throws {
        let fleet = try Fleet()
        let recipe = "\(fleet.directory)/bad.yaml"
        try writeFile(recipe, "name: bad\ntask_choice: astrology\nmodel:\n  class_path: nothing\n")
        let (code, output) = try mmp(fleet, ["submit", recipe])
        #expect(code == 1)
        #expect(output.contains("bad.yaml"))
        #expect(try fleet.queue.queueNames().isEmpty)
        #expect(try fleet.queue.counts(queues: ["default"]).first?.pending == 0)
    }

    @Test func showQueuesWorkersCancelAndRetryThroughTheCLI() throws {
        let fleet = try Fleet()
        let id = try fleet.diagnostic("sleep", seconds: 0)
        var (code, output) = try mmp(fleet, ["jobs", "show", id, "--json"])
        #expect(code == 0)
        let job = try JSON.parse(output)
        #expect(job["id"]?.stringValue == id && job["state"]?.stringValue == "queued" && job["error"]?.isNull == true)
        for key in ["queue", "kind", "recipe", "progress", "attempts", "max_attempts", "deliveries", "created_at", "metrics", "artifact"] {
            #expect(job[key] != nil, "missing \(key)")
        }
        (code, output) = try mmp(fleet, ["queues", "--json"])
        #expect(code == 0)
        #expect(try JSON.parse(output).arrayValue?.first?["pending"]?.intValue == 1)
        (code, output) = try mmp(fleet, ["jobs", "cancel", id])
        #expect(code == 0 && output.contains("cancelled"))
        (code, _) = try mmp(fleet, ["jobs", "cancel", id])
        #expect(code == 1)
        (code, output) = try mmp(fleet, ["jobs", "--state", "cancelled", "--json"])
        #expect(try JSON.parse(output).arrayValue?.compactMap { $0["id"]?.stringValue } == [id])
        (code, _) = try mmp(fleet, ["jobs", "retry", id])
        #expect(code == 0)
        #expect(try fleet.state(id) == .queued)
        try fleet.startWorker(["--worker-id", "cli-worker"])
        #expect(try fleet.waitUntil(10) { try fleet.state(id) == .succeeded })
        (code, output) = try mmp(fleet, ["workers", "--json"])
        #expect(try JSON.parse(output).arrayValue?.first?["id"]?.stringValue == "cli-worker")
        (code, output) = try mmp(fleet, ["jobs"])
        #expect(code == 0 && output.contains(id) && output.contains("succeeded"))
        (code, output) = try mmp(fleet, ["jobs", "show", "not-an-id"])
        #expect(code == 1 && output.contains("not a job id"))
    }

    @Test func watchFollowsAJobToItsEnd() throws {
        let fleet = try Fleet()
        let ok = try fleet.diagnostic("sleep", seconds: 0.5)
        let bad = try fleet.diagnostic("fail", kind: "invalid_data")
        try fleet.startWorker()
        var (code, output) = try mmp(fleet, ["jobs", "watch", ok])
        #expect(code == 0)
        #expect(output.contains("succeeded"))
        (code, output) = try mmp(fleet, ["jobs", "watch", bad])
        #expect(code == 1)
        #expect(output.contains("[invalid_data] diagnostic failure"))
    }

    @Test func submitWaitTrainsARecipeOnTheFleet() throws {
        let fleet = try Fleet()
        let recipe = "\(TestEnvironment.repoRoot)/recipes/churn_logistic.yaml"
        try fleet.startWorker()
        let (code, output) = try mmp(fleet, ["submit", recipe, "--param", "model.hyperparameters.values.C=0.5", "--wait", "--json",
                                             "--idempotency-key", "churn-test"])
        #expect(code == 0, "\(output)\n\(fleet.logs())")
        let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") })
        let job = try JSON.parse(String(line))
        #expect(job["state"]?.stringValue == "succeeded" && job["kind"]?.stringValue == "train")
        #expect((job["metrics"]?["accuracy"]?.doubleValue ?? 0) > 0.5)
        #expect(job["artifact"]?["uri"]?.stringValue?.contains(fleet.directory) == true)
        #expect(job["params"]?.arrayValue?.first?.arrayValue?.compactMap(\.stringValue) == ["model.hyperparameters.values.C", "0.5"])
        // Every stage was relayed to the events stream.
        var stages: [String] = []
        var position = "0"
        while true {
            let (events, next) = try fleet.queue.events(after: ["default": position], block: 0)
            if events.isEmpty { break }
            stages += events.filter { $0.name == "stage" }.compactMap(\.stage)
            position = next["default"]!
        }
        #expect(stages.contains("fit") && stages.contains("evaluate"))
        // The job has ended, so the same idempotency key makes a new job.
        let (again, text) = try mmp(fleet, ["submit", recipe, "--idempotency-key", "churn-test", "--json"])
        #expect(again == 0)
        #expect(try JSON.parse(text.trimmed())["created"]?.boolValue == true)
    }
}
