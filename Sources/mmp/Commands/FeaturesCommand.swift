import ArgumentParser
import MMPAdapters
import MMPCore
import MMPPipeline

struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Feature store: list feature views, materialize them to the online store.",
        subcommands: [FeaturesMaterializeCommand.self, FeaturesListCommand.self]
    )
}

struct FeaturesMaterializeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "materialize",
        abstract: "Write each entity's latest feature values to the online store (Redis).",
        discussion: """
        For every feature view (or those given with --view), reads the latest row per entity at or before \
        --as-of (default: now) and within the view's TTL from PostgreSQL, and writes it to Redis \
        (FEATURE_STORE_ONLINE_URI, else the queue's Redis). `mmp predict --entities` reads them back.
        """
    )

    @Option(name: .customLong("view"), help: ArgumentHelp("A feature view to materialize (repeatable; default: all).", valueName: "name"))
    var views: [String] = []

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Materialize as of this time (2024-06-30 or 2024-06-30T12:00:00Z).", valueName: "time"))
    var asOf: String?

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        var moment: Double?
        if let asOf {
            guard let t = Timestamp.parse(asOf) else {
                throw MMPError.invalidInput("--as-of '\(asOf)' is not a date or time; expected 2024-06-30 or 2024-06-30T12:00:00Z")
            }
            moment = t
        }
        let workspace = try Workspace.current(configDirectory: global.configDirectory)
        let config = try workspace.config(env: global.appEnv)
        guard let store = try AdapterRegistry.standard.featureStore(for: config) else {
            throw MMPError(.invalidConfig, "APP_ENV=\(config.env) has no feature store (data_adapters.feature_store is none); use APP_ENV=dev")
        }
        let start = Timestamp.monotonic()
        let written = try store.materialize(views: views.isEmpty ? nil : views, asOf: moment)
        let seconds = Timestamp.monotonic() - start
        if json {
            let rows = written.map { JSON.object(JSONObject([("view", .string($0.view)), ("entities", .int($0.rows))])) }
            StandardStreams.writeOut(JSON.object(JSONObject([("views", .array(rows)), ("seconds", .double(seconds))])).serialized() + "\n")
            return
        }
        var table = TextTable(headers: ["view", "entities"], rightAligned: [1])
        for (view, rows) in written { table.add([view, String(rows)]) }
        StandardStreams.writeOut(table.render())
        StandardStreams.writeOut("materialized as of \(Timestamp.iso8601(moment ?? Timestamp.now())) in \(format3(seconds))s\n")
    }
}

struct FeaturesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the feature views declared in features/*.yaml (adapters.feature_store.definitions)."
    )

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let workspace = try Workspace.current(configDirectory: global.configDirectory)
        let config = try workspace.config(env: global.appEnv)
        let directory = try config.string(at: "adapters.feature_store.definitions") ?? "features"
        let catalog = try FeatureViewCatalog.load(directory: directory)
        if json {
            let views = catalog.views.map { v in
                JSON.object(JSONObject([
                    ("name", .string(v.name)), ("source", .string(v.sourceName)), ("entities", .array(v.entities.map(JSON.string))),
                    ("timestamp_column", .string(v.timestampColumn)), ("ttl_seconds", v.ttl.map(JSON.double) ?? .null),
                    ("features", .array(v.features.map(JSON.string))), ("file", .string(v.file)),
                ]))
            }
            StandardStreams.writeOut(JSON.array(views).serialized() + "\n")
            return
        }
        var table = TextTable(headers: ["view", "source", "entities", "ttl", "features"])
        for v in catalog.views {
            table.add([v.name, v.sourceName, v.entities.joined(separator: ", "), v.ttl.map(ttlText) ?? "none", v.features.joined(separator: ", ")])
        }
        StandardStreams.writeOut(table.render())
    }

    func ttlText(_ seconds: Double) -> String {
        if seconds.truncatingRemainder(dividingBy: 86400) == 0 { return "\(Int(seconds / 86400))d" }
        if seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        return "\(Int(seconds))s"
    }
}
