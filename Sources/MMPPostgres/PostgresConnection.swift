#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CLibpq
import MMPCore

/// One libpq connection, used by one thread at a time (it is not `Sendable`: loaders and the
/// feature store open one per call, on the thread doing the work).
///
/// Every statement that carries values goes through `PQexecParams`: values travel apart from
/// the SQL text. Large results are streamed through a cursor in chunks (`stream`), so a query
/// of millions of rows never sits in client memory as a whole next to the table being built.
public final class PostgresConnection {
    public let options: PostgresConnectionOptions
    private var handle: OpaquePointer?

    /// Connects, or throws an error saying what is wrong (unreachable, wrong password, unknown
    /// database, ...) and whether trying again later can help.
    public init(_ options: PostgresConnectionOptions) throws {
        self.options = options
        let pairs = options.keywords()
        let keys = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer { keys.forEach { free($0) }; values.forEach { free($0) } }
        let conn: OpaquePointer? = (keys.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { k in
            (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { v in
                PQconnectdbParams(k.baseAddress, v.baseAddress, 0)
            }
        }
        guard let conn else { throw MMPError(.internal, "libpq could not allocate a connection") }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(conn))
            PQfinish(conn)
            throw PostgresErrors.connectFailure(message, options: options)
        }
        // Notices ("table ... does not exist, skipping") would go to stderr; mmp has its own output.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        handle = conn
    }

    deinit { close() }

    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Whether the connection is still usable (false after the server went away).
    public var isOpen: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// The server's version as a number (150004 for 15.4).
    public var serverVersion: Int { handle.map { Int(PQserverVersion($0)) } ?? 0 }

    private func connection() throws -> OpaquePointer {
        guard let handle else { throw MMPError(.connection, "the connection to PostgreSQL at \(options.host):\(options.port) is closed") }
        return handle
    }

    // MARK: - Statements

    /// Runs one statement with bound parameters and returns its (small) result as text.
    @discardableResult
    public func execute(_ query: PostgresQuery) throws -> PostgresResultSet {
        let conn = try connection()
        let result = try withParameters(query) { values in
            PQexecParams(conn, query.sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        try check(result, conn: conn, query: query, activity: query.source == nil ? "the statement" : "the query")
        return PostgresResultSet(result)
    }

    /// Runs one statement without parameters.
    @discardableResult
    public func execute(_ sql: String) throws -> PostgresResultSet { try execute(PostgresQuery(sql)) }

    /// Runs fixed SQL that may hold several statements (schema scripts, test fixtures). It takes
    /// no values: anything that carries one goes through `execute(_: PostgresQuery)`.
    public func executeScript(_ sql: String, source: String? = nil) throws {
        let conn = try connection()
        let result = PQexec(conn, sql)
        defer { PQclear(result) }
        try check(result, conn: conn, query: PostgresQuery(sql, source: source), activity: source.map { "the script \($0)" } ?? "the script")
    }

    // MARK: - Streaming

    /// Runs a query through a cursor and hands its rows to `handler` in chunks of `fetchSize`.
    ///
    /// At most two chunks are held in libpq's memory at a time: the one being decoded and the
    /// next one arriving (`PostgresStreamStatistics` records the largest). Results come in binary format when every column type has a binary decoder, else
    /// in text. The transaction is read-only: a query cannot change data through a loader.
    @discardableResult
    public func stream<Handler: PostgresRowHandler>(_ query: PostgresQuery, fetchSize: Int = 10_000,
                                                      into handler: inout Handler) throws -> PostgresStreamStatistics {
        let conn = try connection()
        let ownTransaction = PQtransactionStatus(conn) == PQTRANS_IDLE
        let cursor = "mmp_rows"
        var finished = false
        if ownTransaction { try runInternal("BEGIN READ ONLY", conn: conn) }
        defer {
            if !finished, PQstatus(conn) == CONNECTION_OK {
                drain(conn)  // a FETCH sent ahead may still be on its way
                PQclear(PQexec(conn, ownTransaction ? "ROLLBACK" : "CLOSE \(cursor)"))
            }
        }
        // The whole result is wanted, so plan for all rows rather than the first 10%.
        try runInternal("SET LOCAL cursor_tuple_fraction = 1", conn: conn)

        let body = PostgresConnection.withoutTrailingSemicolon(query.sql)
        let prefix = "DECLARE \(cursor) NO SCROLL CURSOR FOR "
        let declared = try withParameters(query) { values in
            PQexecParams(conn, prefix + body, Int32(values.count), nil, values, nil, nil, 0)
        }
        defer { PQclear(declared) }
        try check(declared, conn: conn, query: query, prefixLength: prefix.unicodeScalars.count)

        let description = PQdescribePortal(conn, cursor)
        defer { PQclear(description) }
        try check(description, conn: conn, query: query)
        let columns = (0..<PQnfields(description)).map { i in
            PostgresColumn(name: String(cString: PQfname(description, i)), typeOID: UInt32(PQftype(description, i)))
        }
        try handler.begin(columns)
        let binary = columns.allSatisfy { PostgresType.hasBinaryDecoder($0.typeOID) }

        var statistics = PostgresStreamStatistics()
        let size = max(1, fetchSize)
        let fetch = "FETCH FORWARD \(size) FROM \(cursor)"
        // The next FETCH is sent before the current chunk is decoded, so the server produces
        // chunk n+1 while the client turns chunk n into columns: at most two chunks in memory.
        func sendFetch() throws {
            guard PQsendQueryParams(conn, fetch, 0, nil, nil, nil, nil, binary ? 1 : 0) == 1 else {
                throw PostgresErrors.statementFailure(nil, connection: conn, query: query, options: options)
            }
        }
        try sendFetch()
        while true {
            let chunk = try nextResult(conn)
            defer { PQclear(chunk) }
            try check(chunk, conn: conn, query: query)
            let rows = Int(PQntuples(chunk))
            if rows == 0 { break }
            let more = rows == size
            if more { try sendFetch() }
            statistics.rows += rows
            statistics.chunks += 1
            statistics.peakChunkBytes = max(statistics.peakChunkBytes, Int(PQresultMemorySize(chunk)))
            try handler.consume(PostgresRows(result: chunk!, count: rows, columns: columns, binary: binary))
            if !more { break }
        }
        try runInternal(ownTransaction ? "COMMIT" : "CLOSE \(cursor)", conn: conn)
        finished = true
        return statistics
    }

    // MARK: - COPY

    /// `COPY ... FROM STDIN` in text format: `produce` writes the rows. Returns the rows copied.
    /// The data never becomes SQL text, so it needs no quoting beyond COPY's own escapes.
    @discardableResult
    public func copyIn(_ sql: String, _ produce: (inout PostgresCopyWriter) throws -> Void) throws -> Int {
        let conn = try connection()
        let started = PQexec(conn, sql)
        defer { PQclear(started) }
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            try check(started, conn: conn, query: PostgresQuery(sql), activity: "the COPY")
            throw MMPError(.internal, "\(sql) did not start a COPY FROM STDIN")
        }
        var writer = PostgresCopyWriter(connection: conn)
        do {
            try produce(&writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(conn, "aborted by the client")
            drain(conn)
            throw error
        }
        guard PQputCopyEnd(conn, nil) == 1 else {
            throw PostgresErrors.statementFailure(nil, connection: conn, query: nil, options: options, during: "the COPY")
        }
        var failure: MMPError?
        while let result = PQgetResult(conn) {
            if failure == nil, PQresultStatus(result) != PGRES_COMMAND_OK {
                failure = PostgresErrors.statementFailure(result, connection: conn, query: nil, options: options, during: "the COPY")
            }
            PQclear(result)
        }
        if let failure { throw failure }
        return writer.rows
    }

    // MARK: - Helpers

    private func runInternal(_ sql: String, conn: OpaquePointer) throws {
        let result = PQexec(conn, sql)
        defer { PQclear(result) }
        try check(result, conn: conn, query: nil, activity: "the query")
    }

    private func check(_ result: OpaquePointer?, conn: OpaquePointer, query: PostgresQuery?, prefixLength: Int = 0,
                       activity: String = "the query") throws {
        let status = result.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK { return }
        throw PostgresErrors.statementFailure(result, connection: conn, query: query, prefixLength: prefixLength,
                                              options: options, during: activity)
    }

    /// The result of a query sent with `PQsendQueryParams`, with the end-of-results marker read
    /// so the connection is ready for the next command.
    private func nextResult(_ conn: OpaquePointer) throws -> OpaquePointer? {
        let result = PQgetResult(conn)
        drain(conn)
        return result
    }

    private func drain(_ conn: OpaquePointer) {
        while let result = PQgetResult(conn) { PQclear(result) }
    }

    /// The parameter values as C strings that live for the duration of `body`.
    private func withParameters(_ query: PostgresQuery, _ body: ([UnsafePointer<CChar>?]) -> OpaquePointer?) throws -> OpaquePointer? {
        for (i, value) in query.parameters.enumerated() where value?.utf8.contains(0) == true {
            throw MMPError.invalidInput("query parameter $\(i + 1) holds a NUL character, which PostgreSQL text cannot store")
        }
        let copies: [UnsafeMutablePointer<CChar>?] = query.parameters.map { value in value.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }

    /// `SELECT ...;` → `SELECT ...` (a cursor body cannot end with a semicolon).
    static func withoutTrailingSemicolon(_ sql: String) -> String {
        var scalars = Array(sql.unicodeScalars)
        while let last = scalars.last, last == ";" || last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}

/// A small result as text: catalog lookups, counts, command tags.
public struct PostgresResultSet: Sendable {
    public var columns: [String]
    public var rows: [[String?]]
    /// Rows changed by INSERT/UPDATE/DELETE/COPY (0 otherwise).
    public var affectedRows: Int

    init(_ result: OpaquePointer?) {
        guard let result else { columns = []; rows = []; affectedRows = 0; return }
        let fields = Int(PQnfields(result))
        let count = Int(PQntuples(result))
        let types = (0..<fields).map { UInt32(PQftype(result, Int32($0))) }
        columns = (0..<fields).map { String(cString: PQfname(result, Int32($0))) }
        let view = PostgresRows(result: result, count: count,
                                columns: zip(columns, types).map { PostgresColumn(name: $0, typeOID: $1) },
                                binary: PQbinaryTuples(result) != 0)
        rows = (0..<count).map { r in (0..<fields).map { view.text(r, $0) } }
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// The first column of the first row.
    public var scalar: String? { rows.first?.first ?? nil }
}

/// How a streamed query went.
public struct PostgresStreamStatistics: Sendable, Equatable {
    public var rows = 0
    public var chunks = 0
    /// The most memory libpq held for one chunk: the client's buffer, whatever the result's size.
    public var peakChunkBytes = 0
}
