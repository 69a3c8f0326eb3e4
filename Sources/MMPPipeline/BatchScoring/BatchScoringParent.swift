#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MMPAdapters
import MMPArtifacts
import MMPConfig
import MMPCore
import MMPLearn
import MMPQueue

/// The parent of a batch scoring job, run in steps (ChildScripts.swift). First step: cut the
/// CSV into shards (a few small reads, never the whole file) and spawn one child per shard.
/// Last step, once every shard has ended: fail with the shards' errors, or merge their drift
/// counts and write `manifest.json` and `drift.json` beside the parts (folder sinks).
public enum BatchScoringParent {
    public static func step(_ request: BatchScoringRequest, jobID: String, workspace: Workspace,
                            events: (ChildMessage) -> Void) throws -> JSON {
        let queue = try FleetQueue.open(workspace: workspace)
        let children = try queue.children(of: jobID)
        let expected = try queue.childIDs(jobID)
        if expected.isEmpty { return try plan(request, jobID: jobID, events: events) }
        let open = children.filter { !($0.state?.isTerminal ?? true) }
        if !open.isEmpty {
            // Woken early (a sweep raced a child): wait again.
            return ["spawn": ["wake_on": "all", "seen": .int(expected.count - open.count), "children": .array([])]]
        }
        return try finish(request, jobID: jobID, expected: expected, children: children, workspace: workspace, events: events)
    }

    static func plan(_ request: BatchScoringRequest, jobID: String, events: (ChildMessage) -> Void) throws -> JSON {
        events(.stage("plan"))
        guard FileManager.default.isReadableFile(atPath: request.data) else {
            throw MMPError.notFound("no readable data file at \(request.data) on this worker (every worker must see it at the same path)")
        }
        let (_, ranges, rows) = try CSVShards.plan(path: request.data, shards: request.shards, shardRows: request.shardRows)
        guard !ranges.isEmpty else { throw MMPError.invalidData("\(request.data) has a header but no rows to score") }
        let children: [JSON] = ranges.enumerated().map { i, range in
            let shard = ShardScorer.Shard(request: request, parent: jobID, index: i + 1, count: ranges.count, range: range)
            return ["label": .string("shard \(i + 1)/\(ranges.count)"), "payload": shard.payload.json]
        }
        events(.stageDone(stage: "plan", detail: "\(ranges.count) shard(s) of about \(rows / max(1, ranges.count)) rows", seconds: 0))
        return ["spawn": ["wake_on": "all", "seen": 0, "children": .array(children)]]
    }

    static func finish(_ request: BatchScoringRequest, jobID: String, expected: [String], children: [JobRecord], workspace: Workspace,
                       events: (ChildMessage) -> Void) throws -> JSON {
        let byID = Dictionary(children.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var problems: [String] = []
        var anyDead = false
        for (n, id) in expected.enumerated() {
            guard let record = byID[id] else {
                problems.append("shard \(n + 1) (\(id)): its record expired before the parent read it")
                continue
            }
            if record.state == .succeeded { continue }
            if record.state == .dead { anyDead = true }
            problems.append("shard \(n + 1) (\(id)) \(record.stateText): \(record.errorMessage ?? "no error recorded")")
        }
        if !problems.isEmpty {
            let shown = problems.prefix(5).joined(separator: "; ") + (problems.count > 5 ? "; and \(problems.count - 5) more" : "")
            return ["children_verdict": ["state": .string(anyDead ? "dead" : "failed"), "kind": "children",
                                         "message": .string("\(problems.count) of \(expected.count) shard(s) did not succeed: \(shown)")]]
        }
        events(.stage("merge"))
        var rows = 0
        var counts: DriftCounts?
        var parts: [JSON] = []
        for (n, id) in expected.enumerated() {
            let result = byID[id]?.result
            let shardRows = result?["rows"]?.intValue ?? 0
            rows += shardRows
            parts.append(["shard": .int(n + 1), "job_id": .string(id), "rows": .int(shardRows), "part": result?["part"] ?? .null])
            if let c = result?["drift_counts"], !c.isNull {
                let shardCounts = try DriftCounts(json: c)
                if counts == nil { counts = shardCounts } else { counts!.merge(shardCounts) }
            }
        }
        var metrics = JSONObject()
        metrics["rows"] = .int(rows)
        metrics["shards"] = .int(expected.count)
        var result = JSONObject()
        result["kind"] = "predict"
        var drift: DriftReport?
        if let counts {
            // The baseline and thresholds come from the bundle, read once more here.
            let bundle = try ModelLocator(workspace: workspace).load(request.model).bundle
            if let baseline = bundle.driftBaseline {
                let m = MonitoringSection(snapshot: bundle.recipeSnapshot)
                let report = DriftReport(baseline: baseline, counts: counts,
                                         thresholds: DriftThresholds(psiWarning: m.psiWarning, psiAlert: m.psiAlert, missingRate: m.missingRate,
                                                                     predictionPSI: m.predictionPSI, extrapolation: m.extrapolation))
                for (name, value) in report.metrics { metrics[name] = .double(value) }
                metrics["drift_status"] = .string(report.status.rawValue)
                result["drift"] = report.json
                drift = report
            }
        }
        if case .folder(let folder) = request.out {
            var manifest = JSONObject()
            manifest["job_id"] = .string(jobID)
            manifest["model_uri"] = .string(request.model)
            manifest["data"] = .string(request.data)
            manifest["rows"] = .int(rows)
            manifest["created_at"] = .string(Timestamp.iso8601(Timestamp.now()))
            manifest["parts"] = .array(parts.map { part in
                var o = part.objectValue ?? JSONObject()
                if let path = o["part"]?.stringValue { o["part"] = .string((path as NSString).lastPathComponent) }
                return .object(o)
            })
            try writeJSON(.object(manifest), to: (folder as NSString).appendingPathComponent("manifest.json"))
            if let drift { try writeJSON(drift.json, to: (folder as NSString).appendingPathComponent("drift.json")) }
            result["manifest"] = .string((folder as NSString).appendingPathComponent("manifest.json"))
        }
        result["parts"] = .array(parts)
        result["metrics"] = .object(metrics)
        result["out"] = .string(request.out.description)
        events(.stageDone(stage: "merge", detail: "\(rows) rows in \(expected.count) shard(s)\(drift.map { ", drift \($0.status.rawValue)" } ?? "")", seconds: 0))
        return .object(result)
    }

    static func writeJSON(_ json: JSON, to path: String) throws {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data((json.prettySerialized() + "\n").utf8)) else {
            throw MMPError.io("cannot write \(path)")
        }
        guard rename(temporary, path) == 0 else { throw MMPError.io("cannot move \(temporary) to \(path): errno \(errno)") }
    }
}
