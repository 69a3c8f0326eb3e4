import ArgumentParser
import Logging
import MMPCore
import MMPDashboard
import MMPPipeline
import MMPQueue

struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "A web dashboard of the fleet: overview, jobs, workers, actions, /metrics (docs/dashboard.md).",
        discussion: """
        Reads the Redis of this environment's queue: section. Binds 127.0.0.1 unless --host says otherwise. When \
        MMP_DASHBOARD_TOKEN is set, every request needs it (Authorization: Bearer <token>, or as the basic-auth password). \
        --read-only hides every action and refuses them (403).
        """
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Flag(name: .customLong("read-only"), help: "Hide and refuse every action (cancel, retry, delete, pause...).") var readOnly = false
    @Option(name: .customLong("log-level"), help: "debug, info, warning or error.") var logLevel = "info"
    @OptionGroup var global: GlobalOptions

    func run() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be from 1 to 65535") }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level must be debug, info, warning or error") }
        let workspace = try Workspace.current(configDirectory: global.configDirectory)
        LineLogHandler.bootstrap(format: .human, level: level, scrubber: workspace.scrubber)
        let (queueSettings, redis, _) = try Fleet.settings(global)
        var options = DashboardOptions(queueSettings: queueSettings, redis: redis)
        options.host = host
        options.port = port
        options.readOnly = readOnly
        options.token = workspace.environment.variables["MMP_DASHBOARD_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        try DashboardServer(options: options, logger: Logger(label: "mmp-dashboard")).runBlocking()
    }
}

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the fleet's Prometheus metrics once (what the dashboard's GET /metrics answers).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        StandardStreams.writeOut(try FleetMetrics.read(try Fleet.open(global)).text)
    }
}
