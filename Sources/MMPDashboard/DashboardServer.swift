import Dispatch
import Hummingbird
import Logging
import MMPCore
import MMPHTTP
import NIOCore
import NIOPosix
import Synchronization

/// `mmp dashboard`: the pages, actions and `/metrics` over the fleet's Redis, until SIGTERM.
public struct DashboardServer: Sendable {
    public let options: DashboardOptions
    let logger: Logger

    public init(options: DashboardOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    public func run() async throws {
        let threads = NIOThreadPool(numberOfThreads: 4)
        threads.start()
        let routes = DashboardRoutes(fleet: DashboardFleet(settings: options.queueSettings, redis: options.redis, threads: threads),
                                     options: options, csrf: CSRFToken())
        let (host, port, logger, readOnly, guarded) = (options.host, options.port, self.logger, options.readOnly, options.token != nil)
        let app = Application(
            router: routes.router(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil, reuseAddress: false),
            onServerRunning: { channel in
                logger.info("listening on http://\(host):\(channel.localAddress?.port ?? port)",
                            metadata: ["read_only": .stringConvertible(readOnly), "token_required": .stringConvertible(guarded)])
            },
            eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton),
            logger: logger)
        do {
            try await GracefulServer.run(app, grace: .seconds(5), logger: logger)
        } catch {
            try? await threads.shutdownGracefully()
            throw error
        }
        try? await threads.shutdownGracefully()
    }

    /// Runs to the end on the calling thread (for `mmp`'s synchronous commands).
    public func runBlocking() throws {
        let outcome = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await run() } catch { outcome.withLock { $0 = error } }
            done.signal()
        }
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }
}
