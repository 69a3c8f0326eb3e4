import MMPAdapters
import MMPCore

/// What `mmp submit --predict` asks for, as carried in the parent job's payload options.
public struct BatchScoringRequest: Sendable, Equatable {
    /// A bundle path or URI (file, `runs:/`, `models:/`), resolved by each worker.
    public var model: String
    /// A CSV file every worker can read at this path.
    public var data: String
    public var out: ScoringSink
    public var shards: Int?
    public var shardRows: Int?

    public init(model: String, data: String, out: ScoringSink, shards: Int? = nil, shardRows: Int? = nil) throws {
        guard !model.isEmpty else { throw MMPError.invalidInput("--predict needs --model (a bundle path or URI)") }
        guard !data.isEmpty else { throw MMPError.invalidInput("--predict needs --data (a CSV file)") }
        if shards != nil, shardRows != nil { throw MMPError.invalidInput("give --shards or --shard-rows, not both") }
        if let shards, shards < 1 { throw MMPError.invalidInput("--shards must be at least 1, got \(shards)") }
        if let shardRows, shardRows < 1 { throw MMPError.invalidInput("--shard-rows must be at least 1, got \(shardRows)") }
        guard data.lowercased().hasSuffix(".csv") else {
            throw MMPError.invalidInput("--data \(data): batch scoring across the fleet reads CSV files (a .csv path); score Parquet with mmp predict")
        }
        self.model = model; self.data = data; self.out = out; self.shards = shards; self.shardRows = shardRows
    }

    public var options: JSONObject {
        var o = JSONObject()
        o["model"] = .string(model)
        o["data"] = .string(data)
        o["out"] = .string(out.description)
        if let shards { o["shards"] = .int(shards) }
        if let shardRows { o["shard_rows"] = .int(shardRows) }
        return o
    }

    public init(options o: JSONObject) throws {
        try self.init(model: o["model"]?.stringValue ?? "", data: o["data"]?.stringValue ?? "",
                      out: try ScoringSink(o["out"]?.stringValue ?? ""), shards: o["shards"]?.intValue, shardRows: o["shard_rows"]?.intValue)
    }

    /// The parent's payload.
    public var payload: JobPayload {
        JobPayload(kind: .predict, recipeName: "predict", options: options)
    }
}
