import Foundation
import MMPAdapters
import MMPConfig
import MMPCore
import MMPPostgres
import MMPTestSupport
import Testing

@Suite("PostgreSQL connection errors")
struct ConnectionErrorTests {
    @Test("connects to the test server over TCP with a password")
    func connects() throws {
        let connection = try TestDatabase.connect()
        #expect(connection.isOpen)
        #expect(connection.serverVersion >= 120000)
        #expect(try connection.execute("SELECT current_setting('TimeZone')").scalar == "UTC")
    }

    @Test("a wrong password says so, names POSTGRES_PASSWORD, and never shows either password")
    func wrongPassword() throws {
        var options = try TestDatabase.options()
        let wrong = "not-the-password-\(Int.random(in: 1000...9999))"
        options.password = wrong
        let error = try #require(caught { _ = try PostgresConnection(options) })
        #expect(error.kind == .invalidConfig)
        #expect(!error.isRetryable)
        #expect(error.message.contains("rejected the password for user '\(options.user)'"))
        #expect(error.message.contains("POSTGRES_PASSWORD"))
        #expect(!error.message.contains(wrong))
        #expect(!error.message.contains(TestDatabase.password))
    }

    @Test("an unknown database is named, with POSTGRES_DB")
    func unknownDatabase() throws {
        var options = try TestDatabase.options()
        options.database = "no_such_db_\(Int.random(in: 1000...9999))"
        let error = try #require(caught { _ = try PostgresConnection(options) })
        #expect(error.kind == .invalidConfig)
        #expect(error.message.contains("has no database '\(options.database)'"))
        #expect(error.message.contains("POSTGRES_DB"))
        #expect(!error.message.contains(TestDatabase.password))
    }

    @Test("an unknown user is named, with POSTGRES_USER")
    func unknownUser() throws {
        var options = try TestDatabase.options()
        options.user = "nobody_\(Int.random(in: 1000...9999))"
        let error = try #require(caught { _ = try PostgresConnection(options) })
        // SCRAM answers an unknown role the same way as a wrong password (no user enumeration).
        #expect(error.kind == .invalidConfig)
        #expect(error.message.contains(options.user))
        #expect(!error.message.contains(TestDatabase.password))
    }

    @Test("an unreachable server is a retryable connection error naming host and port")
    func unreachable() throws {
        var options = try TestDatabase.options()
        options.port = try freePort()
        let error = try #require(caught { _ = try PostgresConnection(options) })
        #expect(error.kind == .connection)
        #expect(error.isRetryable)
        #expect(error.message.contains("cannot reach PostgreSQL at \(options.host):\(options.port)"))
        #expect(error.message.contains("POSTGRES_HOST"))
        #expect(!error.message.contains(TestDatabase.password))
    }

    @Test("a server that accepts but never answers times out after connect_timeout (retryable)")
    func connectTimeout() throws {
        let listener = try SilentListener()
        defer { listener.close() }
        var options = try TestDatabase.options()
        options.port = listener.port
        options.connectTimeout = 2
        let start = Date()
        let error = try #require(caught { _ = try PostgresConnection(options) })
        #expect(error.kind == .timeout)
        #expect(error.isRetryable)
        #expect(error.message.contains("did not answer within 2 s"))
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test("a missing POSTGRES_PASSWORD is an error naming the variable before any connection")
    func missingPasswordVariable() throws {
        var variables = TestDatabase.environment
        variables["POSTGRES_PASSWORD"] = nil
        let config = AppConfig(json: .object(JSONObject([
            ("data_adapters", .object(JSONObject([("loader", "postgresql")]))),
            ("adapters", .object(JSONObject([("postgresql", .object(JSONObject([
                ("host", "127.0.0.1"), ("user", "mmp"), ("database", "mmp"), ("password", "${POSTGRES_PASSWORD}"),
            ])))]))),
        ])), environment: ProcessEnvironment(variables))
        let error = try #require(caught { _ = try AdapterRegistry.standard.loader(for: config) })
        #expect(error.kind == .invalidConfig)
        #expect(error.message.contains("POSTGRES_PASSWORD"))
        #expect(error.message.contains("adapters.postgresql.password"))
    }

    @Test("an empty POSTGRES_PASSWORD is refused with the variable's name")
    func emptyPassword() throws {
        var variables = TestDatabase.environment
        variables["POSTGRES_PASSWORD"] = ""
        let config = AppConfig(json: .object(JSONObject([
            ("data_adapters", .object(JSONObject([("loader", "postgresql")]))),
            ("adapters", .object(JSONObject([("postgresql", .object(JSONObject([
                ("host", "127.0.0.1"), ("user", "mmp"), ("database", "mmp"), ("password", "${POSTGRES_PASSWORD}"),
            ])))]))),
        ])), environment: ProcessEnvironment(variables))
        let error = try #require(caught { _ = try AdapterRegistry.standard.loader(for: config) })
        #expect(error.message.contains("POSTGRES_PASSWORD"))
        #expect(error.message.contains("empty"))
    }

    @Test("a URI with its password connects, and errors from it never show the password")
    func uriOptions() throws {
        let o = try TestDatabase.options()
        let encoded = o.password!.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let good = try PostgresConnectionOptions(uri: "postgresql://\(o.user):\(encoded)@\(o.host):\(o.port)/\(o.database)?connect_timeout=5",
                                                 origin: .uri("FEATURE_STORE_OFFLINE_URI"))
        #expect(good.description == "\(o.host):\(o.port)/\(o.database) as \(o.user)")
        #expect(try PostgresConnection(good).execute("SELECT 1").scalar == "1")

        var bad = good
        bad.password = "wrong-\(encoded)"
        let error = try #require(caught { _ = try PostgresConnection(bad) })
        #expect(error.message.contains("FEATURE_STORE_OFFLINE_URI"))
        #expect(!error.message.contains(o.password!))
    }
}

extension ConnectionErrorTests {
    @Test("FEATURE_STORE_OFFLINE_URI without a password takes POSTGRES_PASSWORD and wins over adapters.postgresql")
    func offlineURI() throws {
        let o = try TestDatabase.options()
        let root = TestEnvironment.repoRoot
        var variables = TestDatabase.environment
        variables["FEATURE_STORE_OFFLINE_URI"] = "postgresql://\(o.user)@\(o.host):\(o.port)/\(o.database)?application_name=offline-test"
        let base = try TestDatabase.config(adapters: [("port", .int(1))])  // adapters.postgresql itself points nowhere
        var json = base.raw.objectValue!
        var adapters = json["adapters"]!.objectValue!
        adapters["feature_store"] = .object(JSONObject([
            ("definitions", .string("\(root)/features")), ("offline_uri", "${FEATURE_STORE_OFFLINE_URI:-}"),
        ]))
        json["adapters"] = .object(adapters)
        let config = AppConfig(json: .object(json), environment: ProcessEnvironment(variables))
        let store = try #require(try AdapterRegistry.standard.featureStore(for: config) as? PostgresFeatureStore)
        #expect(store.offline.origin == .uri("FEATURE_STORE_OFFLINE_URI"))
        #expect(store.offline.port == o.port)
        #expect(store.offline.password == o.password)
        let connection = try PostgresConnection(store.offline)
        #expect(try connection.execute("SELECT current_setting('application_name')").scalar == "offline-test")
    }
}

/// Accepts TCP connections into its backlog and never answers: a server that hangs.
final class SilentListener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw MMPError.io("cannot listen on a loopback port") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(fd) }
}
