import HTTPTypes
import Hummingbird
import Synchronization

/// Request counts and latencies by route and status, and requests in flight, for `/metrics`;
/// also what a graceful shutdown reports (requests accepted and answered).
///
/// `route` is the matched route pattern (`/predict`), never the raw path, so that a scan of
/// random URLs cannot grow the label set; unmatched requests count under `unmatched`.
public final class HTTPMetrics: Sendable {
    public let requests: CounterFamily
    public let latency: HistogramFamily
    public let inFlight: GaugeFamily
    private let counts = Mutex<(accepted: Int, answered: Int)>((0, 0))

    public init(registry: MetricsRegistry, prefix: String) {
        requests = registry.counter("\(prefix)_http_requests_total", help: "HTTP requests answered, by route, method and status.",
                                    labels: ["route", "method", "status"])
        latency = registry.histogram("\(prefix)_http_request_duration_seconds",
                                     help: "Time from a request's head to its response, by route, method and status.",
                                     labels: ["route", "method", "status"], buckets: latencyBuckets)
        inFlight = registry.gauge("\(prefix)_http_requests_in_flight", help: "Requests being answered now.")
    }

    /// Requests that reached a handler, and those that got their response from it.
    public var accepted: Int { counts.withLock { $0.accepted } }
    public var answered: Int { counts.withLock { $0.answered } }

    func begin() {
        counts.withLock { $0.accepted += 1 }
        inFlight.add(1)
    }

    func end(route: String, method: String, status: Int, seconds: Double) {
        inFlight.add(-1)
        counts.withLock { $0.answered += 1 }
        let labels = [route, method, String(status)]
        requests.increment(labels)
        latency.observe(seconds, labels)
    }
}

public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HTTPMetrics

    public init(_ metrics: HTTPMetrics) { self.metrics = metrics }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        metrics.begin()
        let status: Int
        let response: Response
        do {
            response = try await next(request, context)
            status = response.status.code
        } catch {
            // Only reached without the error middleware inside this one.
            let elapsed = start.duration(to: .now)
            metrics.end(route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
                        status: (error as? HTTPError)?.status.code ?? 500, seconds: elapsed.seconds)
            throw error
        }
        metrics.end(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: status,
                    seconds: start.duration(to: .now).seconds)
        return response
    }
}

extension Duration {
    /// As seconds, with the fraction.
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
