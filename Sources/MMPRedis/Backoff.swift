#if canImport(Glibc)
import Glibc
#endif

/// Exponential backoff with equal jitter: attempt n waits a random time in `[delay/2, delay]`
/// where `delay = min(cap, base * 2^n)`. Half the delay is random so a fleet that lost Redis
/// together does not reconnect in lockstep; half is fixed so that none retries at once.
public struct Backoff: Sendable, Equatable {
    public var base: Double
    public var cap: Double

    public init(base: Double = 0.05, cap: Double = 5) {
        self.base = base
        self.cap = cap
    }

    public func delay(attempt: Int) -> Double {
        let exponent = Double(min(max(attempt, 0), 30))
        let full = min(cap, base * pow(2, exponent))
        return full / 2 + Double.random(in: 0...(full / 2))
    }

    /// Sleeps for `seconds` (whole microseconds).
    public static func sleep(_ seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
