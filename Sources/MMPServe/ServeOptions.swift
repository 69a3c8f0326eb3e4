import MMPCore

/// How `mmp serve` runs: what it serves, where it listens, and its limits.
public struct ServeOptions: Sendable {
    public var modelURI: String
    /// 127.0.0.1 unless told otherwise.
    public var host = "127.0.0.1"
    public var port = 8000
    /// Event-loop threads, which read requests, predict and answer; nil: one per core.
    public var workers: Int?
    /// A request still unanswered after this long gets 504.
    public var requestTimeout: Duration = .seconds(30)
    /// A body over this many bytes gets 422.
    public var maxBodyBytes = 16 << 20
    /// How often to ask whether the model URI points at a new bundle; nil: only on SIGHUP.
    public var pollInterval: Duration? = .seconds(30)
    /// While the model cannot be loaded (no file yet, registry down), try again this often.
    public var retryInterval: Duration = .seconds(2)
    /// On SIGTERM, requests already read get this long to finish.
    public var grace: Duration = .seconds(10)

    public init(modelURI: String) { self.modelURI = modelURI }

    /// `--workers`: `auto` or a positive count.
    public static func workers(_ text: String) throws -> Int? {
        if text == "auto" { return nil }
        guard let n = Int(text), n >= 1, n <= 256 else {
            throw MMPError.invalidInput("--workers must be auto or a number of threads from 1 to 256, not '\(text)'")
        }
        return n
    }

    /// A duration option (`30s`, `500ms`, `2m`); `0` turns it off where `allowZero`.
    public static func duration(_ text: String, option: String, allowZero: Bool = false) throws -> Duration? {
        let seconds: Double
        do { seconds = try DurationParser.seconds(text) } catch {
            throw MMPError.invalidInput("\(option) '\(text)' is not a duration; write it as 30s, 500ms or 2m")
        }
        if seconds == 0, allowZero { return nil }
        guard seconds > 0, seconds.isFinite else {
            throw MMPError.invalidInput("\(option) must be positive\(allowZero ? " (or 0 to turn it off)" : ""), not '\(text)'")
        }
        return .nanoseconds(Int64(seconds * 1e9))
    }

    /// A size option (`16MiB`, `512KiB`, `1000000`).
    public static func bytes(_ text: String, option: String) throws -> Int {
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1000), ("B", 1)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            if let n = Double(text.dropLast(suffix.count).trimmed()), n > 0 { return Int(n * Double(factor)) }
        }
        if let n = Int(text), n > 0 { return n }
        throw MMPError.invalidInput("\(option) '\(text)' is not a size; write it as 16MiB, 512KiB or a number of bytes")
    }
}
