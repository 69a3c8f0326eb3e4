import Hummingbird
import MMPHTTP

/// Per request: Hummingbird's core storage, the request id, and when the request arrived (its
/// timeout counts from here).
public struct ServeRequestContext: RequestIdentifying {
    public var coreContext: CoreRequestContextStorage
    public var requestID = ""
    public let receivedAt: ContinuousClock.Instant

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        receivedAt = .now
    }
}
