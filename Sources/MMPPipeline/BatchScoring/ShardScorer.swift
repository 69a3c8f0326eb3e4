import MMPAdapters
import MMPArtifacts
import MMPConfig
import MMPCore
import MMPLearn

/// One shard of a batch scoring job (`predict_shard`, a child job): reads its row range of the
/// CSV, predicts with the bundle, adds `model_uri`, `job_id` (the parent's) and `scored_at`,
/// writes its part, and reports its row count and drift counts for the parent to merge.
public enum ShardScorer {
    public struct Shard: Sendable, Equatable {
        public var request: BatchScoringRequest
        public var parent: String
        /// 1-based.
        public var index: Int
        public var count: Int
        public var range: Range<Int>

        public var payload: JobPayload {
            var o = request.options
            o["parent"] = .string(parent)
            o["shard"] = .int(index)
            o["shard_count"] = .int(count)
            o["start"] = .int(range.lowerBound)
            o["end"] = .int(range.upperBound)
            return JobPayload(kind: .predictShard, recipeName: "predict", options: o)
        }

        public init(request: BatchScoringRequest, parent: String, index: Int, count: Int, range: Range<Int>) {
            self.request = request; self.parent = parent; self.index = index; self.count = count; self.range = range
        }

        public init(options o: JSONObject) throws {
            request = try BatchScoringRequest(options: o)
            guard let parent = o["parent"]?.stringValue, let index = o["shard"]?.intValue, let count = o["shard_count"]?.intValue,
                  let start = o["start"]?.intValue, let end = o["end"]?.intValue, start <= end else {
                throw MMPError.invalidInput("predict_shard payload lacks parent, shard, shard_count, start or end")
            }
            self.parent = parent; self.index = index; self.count = count; self.range = start..<end
        }
    }

    /// Scores the shard; returns the job result (`rows`, `part`, `drift_counts`).
    public static func run(_ shard: Shard, workspace: Workspace, events: (ChildMessage) -> Void) throws -> JSON {
        let config = try workspace.config()
        events(.stage("load_model"))
        let located = try ModelLocator(workspace: workspace).load(shard.request.model)
        let bundle = located.bundle
        events(.stage("read"))
        let header = try CSVShards.header(path: shard.request.data)
        let input = try CSVReader(source: shard.request.data).read(path: shard.request.data, header: header, range: shard.range)
        events(.progress(stage: "read", progress: 0.3))
        events(.stage("predict"))
        let scored = try BatchScoring.score(bundle, input: input, modelURI: located.reference, jobID: shard.parent)
        events(.progress(stage: "predict", progress: 0.7))
        events(.stage("write"))
        let part = try ScoredPartWriter.write(scored.output, shard: shard.index, jobID: shard.parent, sink: shard.request.out, config: config)
        var result = JSONObject()
        result["kind"] = "predict_shard"
        result["shard"] = .int(shard.index)
        result["rows"] = .int(scored.output.rowCount)
        result["part"] = .string(part)
        result["metrics"] = ["rows": .int(scored.output.rowCount)]
        if let counts = scored.driftCounts { result["drift_counts"] = counts.json }
        return .object(result)
    }
}
