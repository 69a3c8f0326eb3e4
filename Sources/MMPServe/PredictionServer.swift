import Dispatch
import Hummingbird
import Logging
import MMPAdapters
import MMPCore
import MMPHTTP
import NIOCore
import NIOPosix
import Synchronization

/// `mmp serve`: a Hummingbird application with the prediction routes, the model watcher (first
/// load, polling, SIGHUP), graceful shutdown on SIGTERM. The listener opens at once; the model
/// loads beside it, so `/health` answers from the start and `/ready` says when predictions can.
public struct PredictionServer: Sendable {
    public let options: ServeOptions
    let source: any ModelSource
    let featureStore: @Sendable () throws -> (any FeatureStore)?
    let logger: Logger

    public init(options: ServeOptions, source: any ModelSource, featureStore: @escaping @Sendable () throws -> (any FeatureStore)?,
                logger: Logger) {
        self.options = options
        self.source = source
        self.featureStore = featureStore
        self.logger = logger
    }

    public func run() async throws {
        let slot = ModelSlot()
        let metrics = ServeMetrics(slot: slot)
        // Blocking work: bundle loads and online-store lookups (hiredis).
        let threads = NIOThreadPool(numberOfThreads: max(2, System.coreCount))
        threads.start()
        let loops = MultiThreadedEventLoopGroup.singleton

        let predictor = Predictor(slot: slot, metrics: metrics, timeout: options.requestTimeout)
        let routes = ServeRoutes(slot: slot, predictor: predictor, metrics: metrics, options: options)
        let (host, port, logger, uri) = (options.host, options.port, self.logger, source.uri)
        let app = Application(
            router: routes.router(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil, reuseAddress: false),
            onServerRunning: { channel in
                logger.info("listening on http://\(host):\(channel.localAddress?.port ?? port)", metadata: ["model": .string(uri)])
            },
            eventLoopGroupProvider: .shared(loops),
            logger: logger)
        let featureStore = self.featureStore
        let watcher = ModelWatcher(source: source, slot: slot, metrics: metrics, pollInterval: options.pollInterval,
                                   retryInterval: options.retryInterval, logger: logger, threads: threads,
                                   prepare: { try ServedModel($0, uri: uri, featureStore: featureStore, lookupThreads: threads) })
        do {
            try await GracefulServer.run(app, services: [watcher], grace: options.grace, logger: logger)
        } catch {
            try? await threads.shutdownGracefully()
            throw error
        }
        logger.info("stopped", metadata: ["requests_accepted": .stringConvertible(metrics.http.accepted),
                                          "requests_answered": .stringConvertible(metrics.http.answered)])
        try? await threads.shutdownGracefully()
    }

    /// Runs the server to its end on the calling (non-async) thread: for `mmp`'s synchronous
    /// commands. The event loops (`--workers` of them) also run the async work, so that a request
    /// is read, predicted and answered on one thread (no hop to Swift's own thread pool).
    public func runBlocking() throws {
        if let workers = options.workers { NIOSingletons.groupLoopCountSuggestion = workers }
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
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
