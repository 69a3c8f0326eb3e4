internal import CLibpq
import MMPCore

/// Turns libpq failures into `MMPError`s a user can act on, with the kind the queue needs
/// (design §3.5): a server that is down, restarting or unreachable is `.connection` or
/// `.timeout` (a job retries with backoff); a rejected password, an unknown database and a bad
/// statement are permanent. The password never appears in a message.
enum PostgresErrors {
    /// A failed `PQconnectdbParams`, from libpq's message.
    static func connectFailure(_ rawMessage: String, options: PostgresConnectionOptions) -> MMPError {
        let where_ = "PostgreSQL at \(options.host):\(options.port)"
        // libpq prefixes "connection to server at ... failed: " and the server's "FATAL:  ".
        var reason = rawMessage
        if let range = reason.firstRange(of: "failed: ") { reason = String(reason[range.upperBound...]) }
        reason = reason.replacing("FATAL:  ", with: "").trimmed()
        let firstLine = reason.split(separator: "\n").first.map { $0.trimmed() } ?? reason
        let lower = rawMessage.lowercased()
        let error: MMPError
        if lower.contains("password authentication failed") || lower.contains("authentication failed for user") {
            error = MMPError(.invalidConfig, "\(where_) rejected the password for user '\(options.user)'; \(options.hint(.password))")
        } else if lower.contains("no password supplied") {
            error = MMPError(.invalidConfig, "\(where_) asks for a password for user '\(options.user)' and none is configured; \(options.hint(.password))")
        } else if lower.contains("database \"") && lower.contains("does not exist") {
            error = MMPError(.invalidConfig, "\(where_) has no database '\(options.database)'; \(options.hint(.database)) (or create it: createdb -h \(options.host) -p \(options.port) \(options.database))")
        } else if lower.contains("role \"") && lower.contains("does not exist") {
            error = MMPError(.invalidConfig, "\(where_) has no user (role) '\(options.user)'; \(options.hint(.user))")
        } else if lower.contains("no pg_hba.conf entry") {
            error = MMPError(.invalidConfig, "\(where_) does not allow user '\(options.user)' to connect to database '\(options.database)' from this host (pg_hba.conf): \(firstLine)")
        } else if lower.contains("timeout expired") {
            error = MMPError(.timeout, "\(where_) did not answer within \(options.connectTimeout) s (connect_timeout); is the host reachable? \(options.hint(.address))")
        } else if lower.contains("could not translate host name") {
            error = MMPError(.connection, "cannot resolve the PostgreSQL host '\(options.host)': \(firstLine); \(options.hint(.address))")
        } else if lower.contains("connection refused") {
            error = MMPError(.connection, "cannot reach \(where_): connection refused; is the server running there? \(options.hint(.address))")
        } else if lower.contains("starting up") || lower.contains("shutting down") || lower.contains("in recovery mode")
                    || lower.contains("too many clients") || lower.contains("not yet accepting connections") {
            error = MMPError(.connection, "\(where_) is not accepting connections right now: \(firstLine)")
        } else {
            error = MMPError(.connection, "cannot connect to \(where_) (database '\(options.database)', user '\(options.user)'): \(firstLine)")
        }
        return scrub(error, options: options)
    }

    /// The error of a failed statement. `prefixLength` is how many characters the client put in
    /// front of the user's statement (a `DECLARE ... CURSOR FOR`), so positions point into what
    /// the user wrote.
    static func statementFailure(_ result: OpaquePointer?, connection: OpaquePointer, query: PostgresQuery?,
                                 prefixLength: Int = 0, options: PostgresConnectionOptions,
                                 during activity: String = "the query") -> MMPError {
        func field(_ code: UInt8) -> String? {
            guard let result, let p = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: p)
        }
        let sqlState = field(UInt8(ascii: "C"))
        let primary = field(UInt8(ascii: "M"))
            ?? (result.flatMap { PQresultErrorMessage($0) }.map { String(cString: $0).trimmed() }).flatMap { $0.isEmpty ? nil : $0 }
            ?? String(cString: PQerrorMessage(connection)).trimmed()
        let connectionLost = PQstatus(connection) == CONNECTION_BAD
        let where_ = "PostgreSQL at \(options.host):\(options.port)"
        let source = query?.source.map { " in \($0)" } ?? ""

        let error: MMPError
        switch sqlState {
        case let s? where s.hasPrefix("08"):
            error = MMPError(.connection, "lost the connection to \(where_) during \(activity): \(primary)")
        case "57P01", "57P02", "57P03":
            error = MMPError(.connection, "\(where_) shut down or restarted during \(activity): \(primary)")
        case "57014":
            let limit = options.statementTimeout.map { " (statement_timeout \(formatSeconds($0)))" } ?? ""
            error = MMPError(.timeout, "\(activity)\(source) ran longer than the server allows\(limit) and was cancelled: \(primary)")
        case "53300":
            error = MMPError(.connection, "\(where_) has too many connections: \(primary)")
        case let s? where s.hasPrefix("53"):
            error = MMPError(.io, "\(where_) ran out of resources during \(activity): \(primary)")
        case nil where connectionLost:
            error = MMPError(.connection, "lost the connection to \(where_) during \(activity): \(primary)")
        default:
            var message = "PostgreSQL rejected \(activity)\(source)"
            var excerpt = ""
            if let query, let raw = field(UInt8(ascii: "P")), let sent = Int(raw) {
                let position = query.originalPosition(ofSent: max(1, sent - prefixLength))
                let (line, column, text) = locate(position, in: query.original)
                message += " at line \(line), column \(column) (character \(position))"
                excerpt = "\n    \(text)\n    \(String(repeating: " ", count: max(0, column - 1)))^"
            }
            message += ": \(primary)"
            if let detail = field(UInt8(ascii: "D")) { message += " (\(detail))" }
            if let hint = field(UInt8(ascii: "H")) { message += "; hint: \(hint)" }
            if let sqlState { message += " [SQLSTATE \(sqlState)]" }
            error = MMPError(.sql, message + excerpt)
        }
        return scrub(error, options: options)
    }

    /// Line, column (1-based) and the text of the line holding a 1-based character position.
    static func locate(_ position: Int, in text: String) -> (Int, Int, String) {
        var line = 1, column = 1, index = 1
        var current = String.UnicodeScalarView()
        var target: (Int, Int)?
        for scalar in text.unicodeScalars {
            if index == position { target = (line, column) }
            if scalar == "\n" {
                if target != nil { break }
                line += 1; column = 1; current = String.UnicodeScalarView()
            } else {
                current.append(scalar == "\t" ? " " : scalar)
                column += 1
            }
            index += 1
        }
        let (l, c) = target ?? (line, column)
        return (l, c, String(current).trimmedTrailing())
    }

    static func scrub(_ error: MMPError, options: PostgresConnectionOptions) -> MMPError {
        guard let password = options.password, !password.isEmpty, error.message.contains(password) else { return error }
        return MMPError(error.kind, error.message.replacing(password, with: "***"))
    }

    static func formatSeconds(_ s: Double) -> String {
        if s >= 60, s.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(s / 60))m" }
        if s == s.rounded() { return "\(Int(s))s" }
        return "\(s)s"
    }
}

extension String {
    func trimmedTrailing() -> String {
        var end = endIndex
        while end > startIndex, self[index(before: end)].isWhitespace { end = index(before: end) }
        return String(self[..<end])
    }
}
