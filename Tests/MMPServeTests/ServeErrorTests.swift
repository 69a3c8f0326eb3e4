import Foundation
import MMPCore
import MMPTestSupport
import Testing

/// The error contract: 422 for each kind of bad input, 404, 503 before the model is ready, 504
/// past the request timeout; every error body `{"detail", "error_code", "message",
/// "request_id"}` and `X-Request-ID` taken from the request or made and echoed.
@Suite("mmp serve: errors")
struct ServeErrorTests {
    static func row() throws -> JSONObject {
        try ServeFixture.jsonRows(try ServeFixture.shared().churnRowsCSV, dropping: ["churned"])[0]
    }

    /// The body's four keys, the request id in body and header; returns the parsed body.
    @discardableResult
    func expectError(_ response: HTTPTestResponse, _ status: Int, _ code: String,
                     sourceLocation: SourceLocation = #_sourceLocation) throws -> JSON {
        #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
        let json = try response.json()
        #expect(json.objectValue?.keys == ["detail", "error_code", "message", "request_id"], sourceLocation: sourceLocation)
        #expect(json["error_code"]?.stringValue == code, "\(response.text)", sourceLocation: sourceLocation)
        #expect(json["message"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(json["request_id"]?.stringValue == response.header("x-request-id"), sourceLocation: sourceLocation)
        return json
    }

    @Test("422 for a missing required column, a non-numeric value, non-finite numbers, bad JSON; problems named by location")
    func validation() throws {
        let f = try ServeFixture.shared()
        let server = try startServer(f.churn)
        var row = try Self.row()

        var missing = row
        missing["tenure_months"] = nil
        let m = try expectError(try server.request("POST", "/predict", body: JSON.object(missing).serialized()), 422, "MISSING_COLUMN")
        #expect(m["detail"]?.arrayValue?.first?["loc"] == ["body", "tenure_months"])
        #expect(m["detail"]?.arrayValue?.first?["type"]?.stringValue == "missing")
        #expect(m["message"]?.stringValue?.contains("tenure_months") == true)

        row["monthly_charges"] = "lots"
        let n = try expectError(try server.request("POST", "/predict", body: JSON.object(row).serialized()), 422, "NOT_NUMERIC")
        #expect(n["detail"]?.arrayValue?.first?["loc"] == ["body", "monthly_charges"])
        row["monthly_charges"] = 70.5

        // A number too large for a double, and the NaN / Infinity Python's json module writes.
        for literal in ["1e999", "NaN", "Infinity", "-Infinity"] {
            let body = JSON.object(row).serialized().replacing("\"tenure_months\":57", with: "\"tenure_months\":\(literal)")
            #expect(body.contains(literal))
            let e = try expectError(try server.request("POST", "/predict", body: body), 422, "NON_FINITE_NUMBER")
            #expect(e["detail"]?.arrayValue?.first?["loc"] == ["body", "tenure_months"], "\(literal)")
        }

        // Numeric text is a number (as in a CSV); null is a missing value (as an empty cell).
        row["tenure_months"] = "57"
        row["total_charges"] = .null
        #expect(try server.request("POST", "/predict", body: JSON.object(row).serialized()).status == 200)

        try expectError(try server.request("POST", "/predict", body: "{\"tenure_months\": 5,"), 422, "INVALID_JSON")
        try expectError(try server.request("POST", "/predict", body: "[1, 2]"), 422, "INVALID_BODY")
        try expectError(try server.request("POST", "/predict/batch", body: JSON.object(row).serialized()), 422, "INVALID_BODY")
        try expectError(try server.request("POST", "/predict/batch", body: #"{"samples": []}"#), 422, "EMPTY_BATCH")

        // In a batch, every problem is named by its sample.
        var bad = row
        bad["plan_tier"] = nil
        let samples: [JSON] = [.object(row), .object(bad), .object(row), .string("x")]
        try expectError(try server.request("POST", "/predict/batch", body: JSON.object(JSONObject([("samples", .array(samples))])).serialized()), 422, "INVALID_BODY")
        let b = try expectError(try server.request("POST", "/predict/batch", body: JSON.object(JSONObject([("samples", .array(Array(samples.prefix(3))))])).serialized()), 422, "MISSING_COLUMN")
        #expect(b["detail"]?.arrayValue?.map { $0["loc"] } == [["body", "samples", 1, "plan_tier"]])
        server.stop()
    }

    @Test("422 for a category the encoder cannot take (handle_unknown: error), with the failing samples named; 'ignore' takes it")
    func unknownCategory() throws {
        let f = try ServeFixture.shared()
        var row = try Self.row()
        row["contract_type"] = "lifetime"

        let strict = try startServer(f.churnStrict)
        let e = try expectError(try strict.request("POST", "/predict", body: JSON.object(row).serialized()), 422, "UNKNOWN_CATEGORY")
        #expect(e["message"]?.stringValue?.contains("lifetime") == true)
        #expect(e["detail"]?.arrayValue?.first?["loc"] == ["body", "contract_type"])
        let good = try Self.row()
        let samples: [JSON] = [.object(good), .object(good), .object(row), .object(good), .object(row)]
        let b = try expectError(try strict.request("POST", "/predict/batch", body: JSON.object(JSONObject([("samples", .array(samples))])).serialized()), 422, "UNKNOWN_CATEGORY")
        #expect(b["detail"]?.arrayValue?.map { $0["loc"] } == [["body", "samples", 2, "contract_type"], ["body", "samples", 4, "contract_type"]])
        strict.stop()

        let lenient = try startServer(f.churn)
        #expect(try lenient.request("POST", "/predict", body: JSON.object(row).serialized()).status == 200)
        lenient.stop()
    }

    @Test("422 for a body over --max-body-size, whether or not it says its length")
    func oversizedBody() throws {
        let f = try ServeFixture.shared()
        let server = try startServer(f.churn, ["--max-body-size", "2KiB"])
        let rows = try ServeFixture.jsonRows(f.churnRowsCSV, dropping: ["churned"])
        let big = JSON.object(JSONObject([("samples", .array(rows.prefix(30).map(JSON.object)))])).serialized()
        #expect(big.utf8.count > 2048)
        try expectError(try server.request("POST", "/predict/batch", body: big), 422, "BODY_TOO_LARGE")

        // Chunked: no length up front, the limit still holds.
        let connection = try HTTPTestConnection(port: server.port)
        let bytes = Array(big.utf8)
        var request = "POST /predict/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        for start in stride(from: 0, to: bytes.count, by: 1000) {
            let chunk = bytes[start..<min(bytes.count, start + 1000)]
            request += String(chunk.count, radix: 16) + "\r\n" + String(decoding: chunk, as: UTF8.self) + "\r\n"
        }
        try connection.send(request + "0\r\n\r\n")
        try expectError(try connection.readResponse(), 422, "BODY_TOO_LARGE")

        // A small body still works.
        #expect(try server.request("POST", "/predict", body: JSON.object(rows[0]).serialized()).status == 200)
        server.stop()
    }

    @Test("X-Request-ID: the caller's is echoed (header and body), else one is made; unusable ones are replaced")
    func requestIDs() throws {
        let f = try ServeFixture.shared()
        let server = try startServer(f.churn)
        let given = try server.request("POST", "/predict", headers: ["X-Request-ID": "trace-42.abc"], body: "{}")
        let json = try expectError(given, 422, "MISSING_COLUMN")
        #expect(given.header("x-request-id") == "trace-42.abc")
        #expect(json["request_id"]?.stringValue == "trace-42.abc")

        let ok = try server.request("POST", "/predict", headers: ["X-Request-ID": "ok-1"], body: JSON.object(try Self.row()).serialized())
        #expect(ok.status == 200)
        #expect(ok.header("x-request-id") == "ok-1")

        let made = try server.request("GET", "/health")
        let id = try #require(made.header("x-request-id"))
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
        #expect(try server.request("GET", "/health").header("x-request-id") != id)

        let tooLong = try server.request("GET", "/health", headers: ["X-Request-ID": String(repeating: "a", count: 200)])
        #expect(tooLong.header("x-request-id")?.count == 32)

        let unknown = try expectError(try server.request("GET", "/no/such/route", headers: ["X-Request-ID": "r-404"]), 404, "NOT_FOUND")
        #expect(unknown["request_id"]?.stringValue == "r-404")
        server.stop()
    }

    @Test("504 past --request-timeout (a batch too large to answer in 1 ms); the server goes on serving")
    func timeout() throws {
        let f = try ServeFixture.shared()
        let server = try startServer(f.churn, ["--request-timeout", "1ms"])
        let rows = try ServeFixture.jsonRows(f.churnRowsCSV, dropping: ["churned"])
        let many = (0..<25).flatMap { _ in rows }.map(JSON.object)
        #expect(many.count == 5000)
        let e = try expectError(try server.request("POST", "/predict/batch", body: JSON.object(JSONObject([("samples", .array(many))])).serialized()),
                                504, "REQUEST_TIMEOUT")
        #expect(e["message"]?.stringValue?.contains("1ms") == true)
        #expect(try server.request("GET", "/health").status == 200)
        server.stop()
    }

    @Test("503 before the model is loaded (health 200, ready and predict 503 with the reason); ready once the bundle appears")
    func notReady() throws {
        let f = try ServeFixture.shared()
        let path = try TestEnvironment.temporaryDirectory("mmp-serve-later") + "/model.mmpb"
        let server = try startServer(path, waitForModel: false)
        #expect(try server.request("GET", "/health").status == 200)
        let ready = try expectError(try server.request("GET", "/ready"), 503, "MODEL_NOT_READY")
        #expect(ready["message"]?.stringValue?.contains("no model bundle at \(path)") == true)
        let predict = try server.request("POST", "/predict", body: JSON.object(try Self.row()).serialized())
        try expectError(predict, 503, "MODEL_NOT_READY")
        #expect(predict.header("retry-after") == "1")
        try expectError(try server.request("GET", "/model/metadata"), 503, "MODEL_NOT_READY")
        #expect(try server.request("GET", "/").json()["status"]?.stringValue == "loading")
        #expect(PrometheusSamples(try server.request("GET", "/metrics").text).value("mmp_serve_model_ready") == 0)

        // The bundle arrives (renamed into place, as a deploy would): the server picks it up.
        try FileManager.default.copyItem(atPath: f.churn, toPath: path + ".tmp")
        #expect(rename(path + ".tmp", path) == 0)
        try server.waitUntilOK(path: "/ready", timeout: 30)
        #expect(try server.request("POST", "/predict", body: JSON.object(try Self.row()).serialized()).status == 200)
        server.stop()
    }
}
