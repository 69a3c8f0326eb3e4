import MMPCore
import MMPRedis

/// Polls `condition` every `interval` seconds for up to `timeout` seconds; whether it held.
public func waitUntil(_ timeout: Double, interval: Double = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
    let end = Timestamp.monotonic() + timeout
    while Timestamp.monotonic() < end {
        if try condition() { return true }
        Backoff.sleep(interval)
    }
    return try condition()
}

/// The error a throwing call threw, as an `MMPError` (nil if it did not throw).
public func caught(_ body: () throws -> Void) -> MMPError? {
    do { try body(); return nil } catch { return MMPError.wrap(error) }
}
