#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

/// `mmp submit RECIPE --parallel-trials N` through real workers: trials are child jobs on any
/// worker, never more than N in flight, and the parent refits the best into a model bundle.
@Suite(.serialized) struct FleetTuningTests {
    func mmp(_ fleet: Fleet, _ arguments: [String], timeout: Double = 60) throws -> (Int32, String) {
        let out = "\(fleet.directory)/mmp-\(UInt32.random(in: 0...UInt32.max)).out"
        let p = try SpawnedProcess("\(fleet.binDir)/mmp", arguments,
                                   environment: ["MMP_CONFIG_DIR": fleet.directory, "APP_ENV": "local"], log: out)
        guard let status = p.wait(timeout: timeout) else { p.signal(SIGKILL); throw MMPError(.timeout, "mmp \(arguments) did not finish") }
        return (status, try readFile(out))
    }

    @Test func trialsRunAsChildrenOnTwoWorkersAndTheBestIsRefit() throws {
        let fleet = try Fleet(lease: "5s")
        let (code, output) = try mmp(fleet, ["submit", "\(TestEnvironment.repoRoot)/recipes/churn_boosting_tuned.yaml", "--parallel-trials", "2",
                                             "--param", "model.hyperparameters.n_trials=6", "--param", "model.hyperparameters.fixed.n_estimators=20"])
        #expect(code == 0, "\(output)")
        let id = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init) ?? ""
        try fleet.startWorker(["--worker-id", "a"])
        try fleet.startWorker(["--worker-id", "b"])
        // Never more than two trials in flight.
        var most = 0
        let ended = try fleet.waitUntil(240) {
            let running = try fleet.queue.children(of: id).filter { !($0.state?.isTerminal ?? true) }.count
            most = max(most, running)
            return try fleet.state(id)?.isTerminal == true
        }
        #expect(ended, "\(fleet.logs())")
        let parent = try #require(try fleet.queue.record(id))
        #expect(parent.state == .succeeded, "\(parent.fields)")
        #expect(most <= 2)
        let trials = try fleet.queue.children(of: id)
        #expect(trials.count == 6 && trials.allSatisfy { $0.state == .succeeded && $0.kind == "tune_trial" })
        #expect(Set(trials.map(\.worker)).count >= 1)
        let tuning = try #require(parent.result?["tuning"])
        let scores = (tuning["trials"]?.arrayValue ?? []).compactMap { $0["score"]?.doubleValue }
        #expect(scores.count == 6 && tuning["best_score"]?.doubleValue == scores.max())
        #expect(tuning["parallel_trials"]?.intValue == 2)
        // The refit model is a bundle, as mmp train makes.
        #expect(parent.result?["artifact"]?["uri"]?.stringValue?.hasPrefix("file://") == true)
        #expect(parent.result?["metrics"]?["roc_auc"] != nil)
    }
}
