import ArgumentParser
import Logging
import MMPAdapters
import MMPCore
import MMPPipeline
import MMPServe

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model over HTTP: /predict, /predict/batch, /ready, /metrics (docs/serving.md).",
        discussion: """
        Loads the bundle (checksum and format verified) and answers predictions with the code of `mmp predict`. \
        The server listens at once; GET /ready answers 503 until the model is loaded. When the model's recipe \
        fetched features from the feature store, a request carries the entity keys and the features come from \
        the online store of this environment (APP_ENV; run `mmp features materialize` first).

        The model is reloaded when what --model points at changes (the file is replaced, the alias of \
        models:/<name>@<alias> moves): checked every --poll-interval and on SIGHUP; /ready tells which version serves. \
        SIGTERM stops accepting connections and lets requests already received finish within --grace.
        """
    )

    @Option(help: "The model: a bundle path or file:// URI, runs:/<run_id>/model, models:/<name>/<version> or models:/<name>@<alias>.")
    var model: String

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8000

    @Option(help: ArgumentHelp("Event-loop threads: auto (one per core) or a number.", valueName: "auto|n"))
    var workers = "auto"

    @Option(name: .customLong("request-timeout"), help: ArgumentHelp("A request unanswered after this long gets 504.", valueName: "duration"))
    var requestTimeout = "30s"

    @Option(name: .customLong("max-body-size"), help: ArgumentHelp("A larger request body gets 422.", valueName: "size"))
    var maxBodySize = "16MiB"

    @Option(name: .customLong("poll-interval"), help: ArgumentHelp("How often to check whether --model changed (0: only on SIGHUP).", valueName: "duration"))
    var pollInterval = "30s"

    @Option(help: ArgumentHelp("On SIGTERM, how long requests already received may take to finish.", valueName: "duration"))
    var grace = "10s"

    @Option(name: .customLong("log-format"), help: "human or json.")
    var logFormat = "human"

    @Option(name: .customLong("log-level"), help: "debug, info, warning or error.")
    var logLevel = "info"

    @OptionGroup var global: GlobalOptions

    func run() throws {
        var options = ServeOptions(modelURI: model)
        options.host = host
        guard (1...65535).contains(port) else { throw ValidationError("--port must be from 1 to 65535") }
        options.port = port
        options.workers = try ServeOptions.workers(workers)
        options.requestTimeout = try ServeOptions.duration(requestTimeout, option: "--request-timeout")!
        options.maxBodyBytes = try ServeOptions.bytes(maxBodySize, option: "--max-body-size")
        options.pollInterval = try ServeOptions.duration(pollInterval, option: "--poll-interval", allowZero: true)
        options.grace = try ServeOptions.duration(grace, option: "--grace")!
        guard let format = LineLogHandler.Format(rawValue: logFormat) else { throw ValidationError("--log-format must be human or json") }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical") }

        let workspace = try Workspace.current(configDirectory: global.configDirectory)
        LineLogHandler.bootstrap(format: format, level: level, scrubber: workspace.scrubber)
        let appEnv = global.appEnv
        let source = LocatedModelSource(uri: model, locator: ModelLocator(workspace: workspace, env: appEnv))
        // Read only when the model takes online features: a bundle path needs no config.
        let featureStore: @Sendable () throws -> (any FeatureStore)? = {
            try AdapterRegistry.standard.featureStore(for: try workspace.config(env: appEnv))
        }
        try PredictionServer(options: options, source: source, featureStore: featureStore, logger: Logger(label: "mmp-serve")).runBlocking()
    }
}
