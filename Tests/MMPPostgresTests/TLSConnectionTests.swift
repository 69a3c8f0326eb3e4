import MMPCore
import MMPPostgres
import MMPTestSupport
import Testing

/// Against the PostgreSQL scripts/test.d/23-postgres-ssl.sh starts with `ssl = on`, its
/// certificate signed by a CA of the test run's own, and pg_hba.conf refusing TCP without TLS.
@Suite("PostgreSQL over TLS")
struct TLSConnectionTests {
    let what = "a PostgreSQL with ssl = on"

    func options(_ sslMode: String?, host: String = "127.0.0.1") throws -> PostgresConnectionOptions {
        let port = Int(try TestEnvironment.required("MMP_TEST_PGSSL_PORT", for: what))!
        var options = PostgresConnectionOptions(host: host, port: port, user: "mmp", database: "mmp_test",
                                                password: try TestEnvironment.required("MMP_TEST_PGSSL_PASSWORD", for: what))
        options.sslMode = sslMode
        return options
    }

    func file(_ name: String) throws -> String { "\(try TestEnvironment.required("MMP_TEST_PGSSL_DIR", for: what))/\(name)" }

    func usesTLS(_ connection: PostgresConnection) throws -> Bool {
        try connection.execute("SELECT CASE WHEN ssl THEN 'tls' ELSE 'plain' END FROM pg_stat_ssl WHERE pid = pg_backend_pid()").scalar == "tls"
    }

    @Test("verify-full against the CA: connected over TLS, certificate and host name checked")
    func verifyFull() throws {
        for host in ["127.0.0.1", "localhost"] {
            var o = try options("verify-full", host: host)
            o.sslRootCert = try file("ca.crt")
            let connection = try PostgresConnection(o)
            #expect(try usesTLS(connection))
        }
    }

    @Test("a server certificate from another CA is refused, as a configuration error naming the settings")
    func wrongCA() throws {
        var o = try options("verify-ca")
        o.sslRootCert = try file("other-ca.crt")
        let error = try #require(caught { _ = try PostgresConnection(o) })
        #expect(error.kind == .invalidConfig)
        #expect(error.message.contains("certificate verify failed"))
        #expect(error.message.contains("POSTGRES_SSLROOTCERT"))
        #expect(!error.message.contains(o.password!))
    }

    @Test("verify-full without a CA file says which file is missing")
    func missingCA() throws {
        var o = try options("verify-full")
        o.sslRootCert = try file("no-such-ca.crt")
        let error = try #require(caught { _ = try PostgresConnection(o) })
        #expect(error.kind == .invalidConfig)
        #expect(error.message.contains("no-such-ca.crt"))
    }

    @Test("sslmode=disable meets the server's refusal of plain TCP")
    func plainIsRefused() throws {
        let error = try #require(caught { _ = try PostgresConnection(try options("disable")) })
        #expect(error.kind == .invalidConfig)
        #expect(error.message.contains("pg_hba.conf"))
        #expect(error.message.contains("sslmode"))
    }

    @Test("a client certificate logs in a user without a password (cert auth)")
    func clientCertificate() throws {
        var o = try options("verify-full")
        o.user = "mmp_cert"
        o.password = nil
        o.sslRootCert = try file("ca.crt")
        o.sslCert = try file("client.crt")
        o.sslKey = try file("client.key")
        let connection = try PostgresConnection(o)
        #expect(try connection.execute("SELECT current_user").scalar == "mmp_cert")
        #expect(try usesTLS(connection))
        // Without the certificate the same user gets in nowhere.
        o.sslCert = try file("no-such.crt")
        o.sslKey = try file("no-such.key")
        #expect(caught { _ = try PostgresConnection(o) } != nil)
    }

    @Test("the settings come from a config section and a URI, and a wrong sslmode is refused with the choices")
    func fromConfigAndURI() throws {
        let port = try TestEnvironment.required("MMP_TEST_PGSSL_PORT", for: what)
        let ca = try file("ca.crt")
        let section: JSON = ["host": "localhost", "port": .string(port), "user": "mmp_cert", "database": "mmp_test",
                             "sslmode": "verify-full", "sslrootcert": .string(ca), "sslcert": .string(try file("client.crt")),
                             "sslkey": .string(try file("client.key"))]
        let fromSection = try PostgresConnectionOptions(section: section, name: "adapters.postgresql")
        #expect(try PostgresConnection(fromSection).execute("SELECT current_user").scalar == "mmp_cert")
        let uri = "postgresql://mmp_cert@localhost:\(port)/mmp_test?sslmode=verify-full&sslrootcert=\(ca)&sslcert=\(try file("client.crt"))&sslkey=\(try file("client.key"))"
        let fromURI = try PostgresConnectionOptions(uri: uri, origin: .uri("FEATURE_STORE_OFFLINE_URI"))
        #expect(try usesTLS(try PostgresConnection(fromURI)))
        let bad = try #require(caught { _ = try PostgresConnectionOptions(section: ["user": "u", "database": "d", "sslmode": "verify_full"], name: "adapters.postgresql") })
        #expect(bad.message.contains("adapters.postgresql.sslmode"))
        #expect(bad.message.contains("verify-full"))
        #expect(caught { _ = try PostgresConnectionOptions(uri: "postgresql://u@h/d?sslmode=strict", origin: .uri("X")) } != nil)
    }
}
