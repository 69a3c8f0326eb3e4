import MMPCore
import Synchronization

/// The model being served now, swapped atomically: a request takes the current model once and
/// uses it to the end, so a swap never changes a model under a request, and no request waits
/// for a load.
public final class ModelSlot: Sendable {
    struct State {
        var model: ServedModel?
        /// Why the last load failed, while no model could be loaded yet (or a new one failed).
        var lastError: String?
    }

    private let state = Mutex(State())

    public init() {}

    public var model: ServedModel? { state.withLock { $0.model } }
    public var lastError: String? { state.withLock { $0.lastError } }

    /// Installs `model`; the one it replaces.
    @discardableResult
    func install(_ model: ServedModel) -> ServedModel? {
        state.withLock { s in
            let previous = s.model
            s.model = model
            s.lastError = nil
            return previous
        }
    }

    func failed(_ message: String) {
        state.withLock { $0.lastError = message }
    }
}
