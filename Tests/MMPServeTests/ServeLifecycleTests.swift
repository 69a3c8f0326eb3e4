import Foundation
import MMPArtifacts
import MMPCore
import MMPTestSupport
import Synchronization
import Testing

/// Hot swap without dropping requests, and SIGTERM losing no accepted request: both under a
/// stream of requests from several client threads.
@Suite("mmp serve: hot swap and shutdown")
struct ServeLifecycleTests {
    /// What the client threads saw.
    final class Outcomes: Sendable {
        struct Seen: Sendable {
            var ok = 0
            var other: [String] = []
            /// Requests whose connection failed before any response byte (not accepted).
            var refused = 0
            /// Why those requests failed (the first few), for the failure message.
            var failures: [String] = []
            var versions: [String: Int] = [:]
            var mismatches: [String] = []
        }

        let seen = Mutex(Seen())
        let stop = Atomic<Bool>(false)
    }

    /// `threads` clients posting rows until `stop` (or until the server refuses connections):
    /// half on keep-alive connections, half on a new connection per request. Each answer is
    /// checked against what `mmp predict` says for the version the answer names.
    func stream(port: Int, threads: Int, rows: [JSONObject], expected: [String: CSVCells], outcomes: Outcomes,
                stopWhenRefused: Bool) -> DispatchGroup {
        let group = DispatchGroup()
        for t in 0..<threads {
            DispatchQueue.global().async(group: group) {
                var connection: HTTPTestConnection?
                var r = t
                let deadline = Timestamp.monotonic() + 60
                while !outcomes.stop.load(ordering: .relaxed), Timestamp.monotonic() < deadline {
                    r = (r + 1) % rows.count
                    do {
                        if connection == nil || t % 2 == 1 { connection = try HTTPTestConnection(port: port) }
                    } catch {
                        if stopWhenRefused { return }
                        continue
                    }
                    do {
                        let response = try connection!.request("POST", "/predict", body: JSON.object(rows[r]).serialized())
                        let version = response.header("x-model-version") ?? "?"
                        let p = csvText(try response.json()["probabilities"]?["1"])
                        outcomes.seen.withLock { s in
                            if response.status == 200 {
                                s.ok += 1
                                s.versions[version, default: 0] += 1
                                if let cells = expected[version], p != cells.cell(r, "probability_1") {
                                    s.mismatches.append("row \(r) version \(version): \(p ?? "nil") vs \(cells.cell(r, "probability_1") ?? "nil")")
                                } else if expected[version] == nil {
                                    s.mismatches.append("unknown version \(version)")
                                }
                            } else {
                                s.other.append("\(response.status) \(response.text)")
                            }
                        }
                        if response.header("connection") == "close" { connection = nil }
                    } catch {
                        outcomes.seen.withLock { s in
                            s.refused += 1
                            if s.failures.count < 5 { s.failures.append("\(t % 2 == 1 ? "new" : "kept") connection, row \(r): \(error)") }
                        }
                        connection = nil
                    }
                }
            }
        }
        return group
    }

    static func versionLabel(_ bundle: String) -> String {
        let bytes = [UInt8](FileManager.default.contents(atPath: bundle)!)
        return String(bytes[20..<52].hexString.prefix(12))
    }

    @Test("a new bundle at the served path is swapped in on SIGHUP and on a poll; no request fails, each answer matches its version",
          arguments: ["SIGHUP", "poll"])
    func hotSwap(trigger: String) throws {
        let f = try ServeFixture.shared()
        let path = try TestEnvironment.temporaryDirectory("mmp-serve-swap") + "/model.mmpb"
        try FileManager.default.copyItem(atPath: f.churn, toPath: path)
        let (v1, v2) = (Self.versionLabel(f.churn), Self.versionLabel(f.churnOther))
        #expect(v1 != v2)
        let expected = [v1: try ServeFixture.predict(f.churn, f.churnRowsCSV), v2: try ServeFixture.predict(f.churnOther, f.churnRowsCSV)]
        let rows = try ServeFixture.jsonRows(f.churnRowsCSV, dropping: ["churned"])
        let server = try startServer(path, ["--poll-interval", trigger == "poll" ? "200ms" : "0"])
        #expect(try server.request("GET", "/ready").json()["version"]?.stringValue == v1)

        let outcomes = Outcomes()
        let clients = stream(port: server.port, threads: 4, rows: rows, expected: expected, outcomes: outcomes, stopWhenRefused: false)
        #expect(waitUntil(30) { outcomes.seen.withLock { $0.ok } >= 100 })

        // Deploy the new version as a deploy script would: write beside, rename over.
        try FileManager.default.copyItem(atPath: f.churnOther, toPath: path + ".new")
        #expect(rename(path + ".new", path) == 0)
        if trigger == "SIGHUP" { server.signal(SIGHUP) }
        #expect(waitUntil(30) { (try? server.request("GET", "/ready").json()["version"]?.stringValue) == v2 },
                "the server did not swap; its log:\n\(server.output)")
        let before = outcomes.seen.withLock { $0.versions[v2] ?? 0 }
        #expect(waitUntil(30) { outcomes.seen.withLock { $0.versions[v2] ?? 0 } >= before + 100 })
        outcomes.stop.store(true, ordering: .relaxed)
        #expect(clients.wait(timeout: .now() + 30) == .success)

        let seen = outcomes.seen.withLock { $0 }
        #expect(seen.other.isEmpty, "\(seen.other.prefix(3))")
        #expect(seen.refused == 0, "no request may fail during a swap: \(seen.failures); the server's log:\n\(server.output.suffix(4000))")
        #expect(seen.mismatches.isEmpty, "\(seen.mismatches.prefix(3))")
        #expect(seen.versions[v1] ?? 0 >= 100 && seen.versions[v2] ?? 0 >= 100)
        #expect(server.output.contains("swapped the served model"))
        let ready = try server.request("GET", "/ready").json()
        #expect(ready["sha256"]?.stringValue == SHA256Hex.of(file: f.churnOther))
        #expect(server.stop() == 0)
    }

    @Test("a bundle that fails its checksum is not swapped in: the old version keeps serving and /ready says why")
    func corruptReplacementKeepsServing() throws {
        let f = try ServeFixture.shared()
        let path = try TestEnvironment.temporaryDirectory("mmp-serve-corrupt") + "/model.mmpb"
        try FileManager.default.copyItem(atPath: f.churn, toPath: path)
        let server = try startServer(path, ["--poll-interval", "0"])
        var bytes = [UInt8](FileManager.default.contents(atPath: f.churnOther)!)
        bytes[bytes.count - 10] ^= 0x40
        #expect(FileManager.default.createFile(atPath: path + ".new", contents: Data(bytes)))
        #expect(rename(path + ".new", path) == 0)
        server.signal(SIGHUP)
        #expect(waitUntil(30) { (try? server.request("GET", "/ready").json()["last_reload_error"]) != nil })
        let ready = try server.request("GET", "/ready")
        #expect(ready.status == 200)
        #expect(try ready.json()["version"]?.stringValue == Self.versionLabel(f.churn))
        #expect(try ready.json()["last_reload_error"]?.stringValue?.contains("checksum") == true)
        #expect(try server.request("POST", "/predict", body: JSON.object(try ServeErrorTests.row()).serialized()).status == 200)
        server.stop()
    }

    @Test("SIGTERM during a stream of requests: the listener closes, a request already being received finishes, none accepted is lost")
    func gracefulShutdown() throws {
        let f = try ServeFixture.shared()
        let rows = try ServeFixture.jsonRows(f.churnRowsCSV, dropping: ["churned"])
        let label = Self.versionLabel(f.churn)
        let expected = [label: try ServeFixture.predict(f.churn, f.churnRowsCSV)]
        let server = try startServer(f.churn, ["--grace", "30s"])

        // A request the server has started on: its head and half its body are in.
        let slow = try HTTPTestConnection(port: server.port)
        let body = Array(JSON.object(JSONObject([("samples", .array(rows.map(JSON.object)))])).serialized().utf8)
        try slow.send(HTTPTestConnection.head("POST", "/predict/batch", bodyLength: body.count))
        try slow.send(Array(body[..<(body.count / 2)]))
        #expect(waitUntil(30) {
            // The scrape itself is in flight while it renders: more than one means the slow one is.
            let text = (try? server.request("GET", "/metrics").text) ?? ""
            return (PrometheusSamples(text).value("mmp_serve_http_requests_in_flight") ?? 0) >= 2
        })

        // Requests answered so far (this scrape is counted once it is answered).
        let answeredBefore = PrometheusSamples(try server.request("GET", "/metrics").text).values
            .filter { $0.key.hasPrefix("mmp_serve_http_requests_total{") }.values.reduce(0, +)

        let outcomes = Outcomes()
        let clients = stream(port: server.port, threads: 4, rows: rows, expected: expected, outcomes: outcomes, stopWhenRefused: true)
        #expect(waitUntil(30) { outcomes.seen.withLock { $0.ok } >= 200 })
        server.signal(SIGTERM)

        // New connections are refused once the listener has closed...
        #expect(waitUntil(30) { (try? HTTPTestConnection(port: server.port, timeout: 1)) == nil })
        // ...and the request being received still gets its whole answer.
        try slow.send(Array(body[(body.count / 2)...]))
        let answer = try slow.readResponse()
        #expect(answer.status == 200)
        #expect(slow.isClosedByServer(), "the server closes the connection after the last answer")
        let predictions = try #require(try answer.json()["predictions"]?.arrayValue)
        #expect(predictions.count == rows.count)
        #expect(csvText(predictions[5]["probabilities"]?["1"]) == expected[label]!.cell(5, "probability_1"))

        #expect(clients.wait(timeout: .now() + 60) == .success)
        #expect(server.process.wait(timeout: 60) == 0, "the server exits 0 after a graceful stop; its log:\n\(server.output)")
        let seen = outcomes.seen.withLock { $0 }
        #expect(seen.other.isEmpty, "\(seen.other.prefix(3))")
        #expect(seen.mismatches.isEmpty, "\(seen.mismatches.prefix(3))")
        // Every request the server accepted was answered, and every answer reached its client.
        let log = server.output
        let answeredByClients = Int(answeredBefore) + 1 + seen.ok + 1
        #expect(log.contains("requests_accepted=\(answeredByClients) requests_answered=\(answeredByClients)"),
                "clients received \(answeredByClients) answers; the server's log:\n\(log.suffix(600))")
    }
}
