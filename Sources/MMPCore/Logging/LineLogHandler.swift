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
        let line: String
        switch format {
        case .human:
            var text = "\(Timestamp.iso8601(Timestamp.now())) \(event.level.rawValue.padding(8))\(event.message)"
            for key in merged.keys.sorted() { text += " \(key)=\(merged[key]!)" }
            line = text
        case .json:
            var object = JSONObject()
            object["ts"] = .string(Timestamp.iso8601(Timestamp.now()))
            object["level"] = .string(event.level.rawValue)
            object["logger"] = .string(label)
            object["msg"] = .string(event.message.description)
            for key in merged.keys.sorted() { object[key] = .string("\(merged[key]!)") }
            line = JSON.object(object).serialized()
        }
        let scrubbed = scrubber.scrub(line) + "\n"
        StandardStreams.writeError(scrubbed)
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
