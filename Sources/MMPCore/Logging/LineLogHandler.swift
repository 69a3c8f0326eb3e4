#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// One line per event on stderr: human-readable by default, JSON for log shippers.
/// Every line passes through the secret scrubber first.
public struct LineLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable { case human, json }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let format: Format
    private let scrubber: SecretScrubber

    public init(label: String, format: Format, scrubber: SecretScrubber) {
        self.label = label
        self.format = format
        self.scrubber = scrubber
    }

    /// Installs this handler for every logger of the process.
    public static func bootstrap(format: Format, level: Logger.Level, scrubber: SecretScrubber) {
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: format, scrubber: scrubber)
            handler.logLevel = level
            return handler
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        StandardStreams.writeError(line(level: event.level, message: event.message.description, metadata: merged,
                                        time: Timestamp.now()) + "\n")
    }

    /// One log line, secrets scrubbed. JSON lines scrub each value before it is encoded: a
    /// secret holding `"` or `\` is escaped by the encoding and would no longer match afterwards.
    func line(level: Logger.Level, message: String, metadata: Logger.Metadata, time: Double) -> String {
        switch format {
        case .human:
            var text = "\(Timestamp.iso8601(time)) \(level.rawValue.padding(8))\(message)"
            for key in metadata.keys.sorted() { text += " \(key)=\(metadata[key]!)" }
            return scrubber.scrub(text)
        case .json:
            var object = JSONObject()
            object["ts"] = .string(Timestamp.iso8601(time))
            object["level"] = .string(level.rawValue)
            object["logger"] = .string(label)
            object["msg"] = .string(scrubber.scrub(message))
            for key in metadata.keys.sorted() { object[scrubber.scrub(key)] = .string(scrubber.scrub("\(metadata[key]!)")) }
            return JSON.object(object).serialized()
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
