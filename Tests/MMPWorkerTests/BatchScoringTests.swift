#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

/// `mmp submit --predict` end to end: real `mmp-worker` processes run the parent's steps and
/// the shards (child jobs) against the test Redis; parts, manifest and drift report on disk.
@Suite(.serialized) struct BatchScoringTests {
    /// Runs `mmp ARGS` with the fleet's config; returns (exit code, output).
    func mmp(_ fleet: Fleet, _ arguments: [String], timeout: Double = 120) throws -> (Int32, String) {
        let out = "\(fleet.directory)/mmp-\(UInt32.random(in: 0...UInt32.max)).out"
        let p = try SpawnedProcess("\(fleet.binDir)/mmp", arguments,
                                   environment: ["MMP_CONFIG_DIR": fleet.directory, "APP_ENV": "local"], log: out)
        guard let status = p.wait(timeout: timeout) else { p.signal(SIGKILL); throw MMPError(.timeout, "mmp \(arguments) did not finish") }
        return (status, try readFile(out))
    }

    /// A bundle of the churn recipe (trained with a drift baseline), and the path of its CSV.
    func trainedModel(_ fleet: Fleet) throws -> String {
        let (code, output) = try mmp(fleet, ["train", "\(TestEnvironment.repoRoot)/recipes/churn_logistic.yaml", "--json"])
        #expect(code == 0, "\(output)")
        let line = try #require(output.split(separator: "\n").last(where: { $0.hasPrefix("{") }))
        return try #require(try JSON.parse(String(line))["artifact"]?["uri"]?.stringValue)
    }

    /// customers.csv, shifted: tenure + 60 months and three times the charges (every row).
    func shiftedCopy(_ fleet: Fleet) throws -> String {
        let lines = try readFile("\(TestEnvironment.repoRoot)/data/customers.csv").split(separator: "\n", omittingEmptySubsequences: false)
        var out = [String(lines[0])]
        for line in lines.dropFirst() where !line.isEmpty {
            var f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if let t = Double(f[1]) { f[1] = String(Int(t) + 60) }
            if let m = Double(f[2]) { f[2] = String(m * 3) }
            out.append(f.joined(separator: ","))
        }
        let path = "\(fleet.directory)/shifted.csv"
        try writeFile(path, out.joined(separator: "\n") + "\n")
        return path
    }

    func submitPredict(_ fleet: Fleet, model: String, data: String, out: String, shards: Int) throws -> String {
        let (code, output) = try mmp(fleet, ["submit", "--predict", "--model", model, "--data", data, "--out", out, "--shards", String(shards)])
        #expect(code == 0, "\(output)")
        return output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init) ?? ""
    }

    /// Every part's rows: customer ids (once each across parts) and the header.
    func readParts(_ folder: String, shards: Int) throws -> (header: String, ids: [String]) {
        var header = ""
        var ids: [String] = []
        for n in 1...shards {
            let name = "part-" + String(repeating: "0", count: 5 - String(n).count) + String(n) + ".csv"
            let lines = try readFile("\(folder)/\(name)").split(separator: "\n")
            header = String(lines[0])
            ids += lines.dropFirst().map { String($0.split(separator: ",")[0]) }
        }
        return (header, ids)
    }

    @Test func shardsScoreEveryRowOnceWithADriftReportOkUnshiftedAndAlertShifted() throws {
        let fleet = try Fleet(lease: "5s")
        let model = try trainedModel(fleet)
        let data = "\(TestEnvironment.repoRoot)/data/customers.csv"
        let plain = try submitPredict(fleet, model: model, data: data, out: "\(fleet.directory)/scored", shards: 4)
        let shifted = try submitPredict(fleet, model: model, data: try shiftedCopy(fleet), out: "\(fleet.directory)/scored-shifted", shards: 3)
        try fleet.startWorker(["--worker-id", "a"])
        try fleet.startWorker(["--worker-id", "b"])
        #expect(try fleet.waitUntil(180) { try fleet.state(plain)?.isTerminal == true && fleet.state(shifted)?.isTerminal == true }, "\(fleet.logs())")
        let parent = try #require(try fleet.queue.record(plain))
        #expect(parent.state == .succeeded, "\(parent.fields)")
        #expect(parent.progress == 1)
        let children = try fleet.queue.children(of: plain)
        #expect(children.count == 4 && children.allSatisfy { $0.state == .succeeded && $0.fields["parent"] == plain })

        let (header, ids) = try readParts("\(fleet.directory)/scored", shards: 4)
        #expect(header == "customer_id,prediction,probability_0,probability_1,model_uri,job_id,scored_at")
        #expect(ids.count == 3000 && Set(ids).count == 3000)
        let manifest = try JSON.parse(try readFile("\(fleet.directory)/scored/manifest.json"))
        #expect(manifest["rows"]?.intValue == 3000 && manifest["parts"]?.arrayValue?.count == 4 && manifest["job_id"]?.stringValue == plain)
        let drift = try JSON.parse(try readFile("\(fleet.directory)/scored/drift.json"))
        #expect(drift["status"]?.stringValue == "ok", "\(drift.serialized())")
        #expect(drift["rows"]?.intValue == 3000)
        #expect(parent.result?["metrics"]?["rows"]?.intValue == 3000)
        #expect(parent.result?["metrics"]?["drift_status"]?.stringValue == "ok")

        let moved = try #require(try fleet.queue.record(shifted))
        #expect(moved.state == .succeeded)
        let report = try JSON.parse(try readFile("\(fleet.directory)/scored-shifted/drift.json"))
        #expect(report["status"]?.stringValue == "alert")
        let features = report["features"]?.arrayValue ?? []
        let tenure = features.first { $0["name"]?.stringValue == "tenure_months" }
        #expect(tenure?["psi_status"]?.stringValue == "alert" && (tenure?["psi"]?.doubleValue ?? 0) > 0.2)
        #expect(features.first { $0["name"]?.stringValue == "contract_type" }?["status"]?.stringValue == "ok")

        // The tree, as `mmp jobs show` prints it.
        let (code, shown) = try mmp(fleet, ["jobs", "show", plain])
        #expect(code == 0 && shown.contains("children        4: 4 succeeded") && shown.contains("shard 4/4"))
    }

    @Test func killingAWorkerMidScoringLosesNothingAndNoShardCompletesTwice() throws {
        let fleet = try Fleet(lease: "2s")
        let model = try trainedModel(fleet)
        let data = "\(TestEnvironment.repoRoot)/data/customers.csv"
        let out = "\(fleet.directory)/scored"
        let id = try submitPredict(fleet, model: model, data: data, out: out, shards: 6)
        let doomed = try fleet.startWorker(["--worker-id", "doomed"])
        // Kill it -9 as soon as it holds a shard (the parent's first step has spawned them).
        #expect(try fleet.waitUntil(60) { try fleet.queue.children(of: id).contains { $0.state == .active && $0.worker == "doomed" } })
        doomed.signal(SIGKILL)
        _ = doomed.wait(timeout: 5)
        try fleet.startWorker(["--worker-id", "rescuer-1"])
        try fleet.startWorker(["--worker-id", "rescuer-2"])
        #expect(try fleet.waitUntil(180) { try fleet.state(id)?.isTerminal == true }, "\(fleet.logs())")
        #expect(try fleet.state(id) == .succeeded)
        let children = try fleet.queue.children(of: id)
        #expect(children.count == 6 && children.allSatisfy { $0.state == .succeeded })
        // The killed shard ran again elsewhere (a lost delivery), and nothing succeeded twice.
        #expect(children.contains { $0.lostDeliveries == 1 })
        #expect(try fleet.successCounts().values.allSatisfy { $0 == 1 })
        let (_, ids) = try readParts(out, shards: 6)
        #expect(ids.count == 3000 && Set(ids).count == 3000)
    }

    @Test func aFailingShardFailsTheParentWithItsErrorAndCancelCascades() throws {
        let fleet = try Fleet(lease: "5s")
        let model = try trainedModel(fleet)
        // A data file with a column the model needs missing: every shard fails (invalid input, not retried).
        let bad = "\(fleet.directory)/bad.csv"
        try writeFile(bad, "customer_id,tenure_months\nC1,3\nC2,4\nC3,5\nC4,9\n")
        let id = try submitPredict(fleet, model: model, data: bad, out: "\(fleet.directory)/bad-out", shards: 2)
        try fleet.startWorker(["--worker-id", "a"])
        #expect(try fleet.waitUntil(120) { try fleet.state(id)?.isTerminal == true }, "\(fleet.logs())")
        let r = try #require(try fleet.queue.record(id))
        #expect(r.state == .failed && r.errorKind == "children")
        #expect(r.errorMessage?.contains("2 of 2 shard(s) did not succeed") == true && r.errorMessage?.contains("monthly_charges") == true)

        // Cancel: the parent and its queued shards together (no worker for this queue runs).
        let (code, output) = try mmp(fleet, ["submit", "--predict", "--model", model, "--data", "\(TestEnvironment.repoRoot)/data/customers.csv",
                                             "--out", "\(fleet.directory)/never", "--shards", "3", "--queue", "idle"])
        #expect(code == 0)
        let idle = output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try mmp(fleet, ["jobs", "cancel", idle]).0 == 0)
        #expect(try fleet.state(idle) == .cancelled)
    }
}
