#if canImport(Glibc)
import Glibc
#endif
import MMPCore

/// How often a tracking call is tried and how long it waits between tries: exponential backoff
/// with jitter, `attempt n` waiting between half and all of `min(cap, base * 2^n)`.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var base: Double
    public var cap: Double

    public init(maxAttempts: Int = 4, base: Double = 0.5, cap: Double = 5) {
        self.maxAttempts = max(1, maxAttempts); self.base = base; self.cap = cap
    }

    /// No retries (probes such as health checks).
    public static let once = RetryPolicy(maxAttempts: 1)

    public func delay(afterAttempt attempt: Int) -> Double {
        let full = min(cap, base * pow(2, Double(min(max(attempt - 1, 0), 30))))
        return full / 2 + Double.random(in: 0...(full / 2))
    }

    /// Runs `body` until it succeeds, its error is not retryable, or the attempts are spent.
    public func run<T>(_ body: (_ attempt: Int) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try body(attempt)
            } catch let error as MMPError where error.isRetryable && attempt < maxAttempts {
                RetryPolicy.sleep(delay(afterAttempt: attempt))
                attempt += 1
            }
        }
    }

    public static func sleep(_ seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
