/// The one error type every mmp module throws.
///
/// `kind` decides how the queue treats a failure (design §3.5): connection, timeout and I/O
/// problems are retryable; everything a user must fix (recipe, data, SQL) is permanent.
/// Messages are written for the person who has to act on them and never carry a secret.
public struct MMPError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case invalidRecipe = "invalid_recipe"
        case invalidConfig = "invalid_config"
        case invalidInput = "invalid_input"
        case invalidData = "invalid_data"
        case missingColumn = "missing_column"
        case notFound = "not_found"
        case corrupt = "corrupt"
        case sql = "sql"
        case connection = "connection"
        case timeout = "timeout"
        case io = "io"
        case cancelled = "cancelled"
        case `internal` = "internal"

        /// Whether trying again later can succeed without anyone changing anything.
        public var isRetryable: Bool {
            switch self {
            case .connection, .timeout, .io: return true
            default: return false
            }
        }
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var isRetryable: Bool { kind.isRetryable }
    public var description: String { message }
}

extension MMPError {
    public static func invalidInput(_ message: String) -> MMPError { MMPError(.invalidInput, message) }
    public static func invalidData(_ message: String) -> MMPError { MMPError(.invalidData, message) }
    public static func notFound(_ message: String) -> MMPError { MMPError(.notFound, message) }
    public static func io(_ message: String) -> MMPError { MMPError(.io, message) }
    public static func corrupt(_ message: String) -> MMPError { MMPError(.corrupt, message) }
    public static func internalError(_ message: String) -> MMPError { MMPError(.internal, message) }

    /// Wraps any error as an `MMPError`, keeping one that already is.
    public static func wrap(_ error: any Error) -> MMPError {
        if let error = error as? MMPError { return error }
        return MMPError(.internal, String(describing: error))
    }
}
