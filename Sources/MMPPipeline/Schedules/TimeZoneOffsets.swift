import Foundation
import MMPCore

/// A named zone's UTC offsets for cron (`CronExpression.next(after:in:)`), from Foundation's
/// `TimeZone`, whose zone names and rules come from the system's zone data (/usr/share/zoneinfo,
/// Debian's tzdata).
public struct TimeZoneOffsets: UTCOffsetSource {
    public let zone: TimeZone

    /// The zone `identifier` (`Asia/Seoul`, `UTC`), or an error naming the closest real one.
    public init(identifier: String) throws {
        guard let zone = TimeZone(identifier: identifier), !identifier.isEmpty else {
            throw MMPError.invalidInput("'\(identifier)' is not a time zone\(Self.hint(identifier)); use a name from the zone database such as Europe/Berlin, Asia/Seoul or UTC")
        }
        self.zone = zone
    }

    public var identifier: String { zone.identifier }

    public func offset(atUTC seconds: Int64) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// A zone with the same city under another region (`Europe/Seoul` → `Asia/Seoul`), else the
    /// closest name.
    static func hint(_ identifier: String) -> String {
        let known = TimeZone.knownTimeZoneIdentifiers
        if let city = identifier.split(separator: "/").last?.lowercased(),
           let same = known.first(where: { $0.split(separator: "/").last?.lowercased() == city }) {
            return "; did you mean '\(same)'?"
        }
        return Suggestion.hint(for: identifier, in: known)
    }
}
