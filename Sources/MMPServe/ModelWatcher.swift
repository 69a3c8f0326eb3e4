import Logging
import MMPCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// Loads the model, then keeps it current: on every poll (`--poll-interval`) and on SIGHUP it
/// asks the source what the URI points at now, and when that changed it loads the new bundle
/// beside the old one and swaps it in. Requests never wait for a load: until the first load
/// succeeds `/ready` answers 503 with the reason, and a failed reload keeps the old model.
struct ModelWatcher: Service {
    enum Trigger: Sendable { case poll, hangup }

    let source: any ModelSource
    let slot: ModelSlot
    let metrics: ServeMetrics
    let pollInterval: Duration?
    let retryInterval: Duration
    let logger: Logger
    /// Loads and bundle decoding block: they run here, off the threads that answer requests.
    let threads: NIOThreadPool
    let prepare: @Sendable (LoadedBundle) throws -> ServedModel

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let (triggers, continuation) = AsyncStream.makeStream(of: Trigger.self, bufferingPolicy: .bufferingNewest(1))
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in hangups { continuation.yield(.hangup) }
                }
                if let interval = pollInterval {
                    group.addTask {
                        while (try? await Task.sleep(for: interval)) != nil { continuation.yield(.poll) }
                    }
                }
                await loadFirst()
                for await trigger in triggers { await refresh(trigger) }
                group.cancelAll()
            }
        }
    }

    /// Tries until the model loads (the file may not exist yet, the registry may be down).
    func loadFirst() async {
        var lastMessage = ""
        while !Task.isCancelled {
            do {
                let model = try await load()
                slot.install(model)
                logger.info("serving \(source.uri)", metadata: ["version": .string(model.revision.label), "sha256": .string(model.sha256),
                                                                "recipe": .string(model.bundle.recipeName)])
                return
            } catch {
                let message = MMPError.wrap(error).message
                slot.failed(message)
                if message != lastMessage {
                    logger.warning("cannot load the model yet; retrying every \(Predictor.format(retryInterval))", metadata: ["error": .string(message)])
                    lastMessage = message
                }
                try? await Task.sleep(for: retryInterval)
            }
        }
    }

    func refresh(_ trigger: Trigger) async {
        guard let current = slot.model else { return }
        do {
            let revision = try await threads.runIfActive { try source.revision() }
            guard revision != current.revision else {
                if trigger == .hangup { logger.info("SIGHUP: \(source.uri) is unchanged", metadata: ["version": .string(current.revision.label)]) }
                return
            }
            let model = try await load()
            slot.install(model)
            metrics.swaps.increment()
            logger.info("swapped the served model", metadata: [
                "from": .string(current.revision.label), "to": .string(model.revision.label), "trigger": .string(trigger == .hangup ? "SIGHUP" : "poll"),
            ])
        } catch {
            let message = MMPError.wrap(error).message
            slot.failed(message)
            logger.warning("kept the served model: the new one cannot be loaded", metadata: ["version": .string(current.revision.label), "error": .string(message)])
        }
    }

    func load() async throws -> ServedModel {
        do {
            let model = try await threads.runIfActive { [source, prepare] in try prepare(try source.load()) }
            metrics.loads.increment(["ok"])
            return model
        } catch {
            metrics.loads.increment(["error"])
            throw error
        }
    }
}
