import MMPCore

/// Wall-clock milliseconds (for ages and display; leases use the Redis server's clock).
public enum Clock {
    public static func nowMillis() -> Int { Int(Timestamp.now() * 1000) }
}
