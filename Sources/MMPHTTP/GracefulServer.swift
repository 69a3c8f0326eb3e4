import Hummingbird
import Logging
import ServiceLifecycle

/// Runs an HTTP application and its companion services until SIGTERM or SIGINT, then shuts down
/// gracefully: the listener closes at once (new connections are refused), idle keep-alive
/// connections close, requests already read finish and get their response (with
/// `Connection: close`), and only after `grace` is anything still running cancelled.
public enum GracefulServer {
    public static func run(_ application: some ApplicationProtocol, services: [any Service] = [], grace: Duration,
                           logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(
            services: [ServiceGroupConfiguration.ServiceConfiguration(service: application)]
                + services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = grace
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }
}
