import Foundation
import MMPArtifacts
import MMPCore
import MMPTestSupport
import Testing

/// `mmp serve` as a real process: every endpoint, and predictions equal to `mmp predict` on the
/// same rows to the last digit.
@Suite("mmp serve: endpoints")
struct ServeEndpointTests {
    @Test("/predict and /predict/batch answer what mmp predict writes, digit for digit (classifier with missing values and categories)")
    func classifierPredictionsEqualMmpPredict() throws {
        let f = try ServeFixture.shared()
        let expected = try ServeFixture.predict(f.churn, f.churnRowsCSV)
        let rows = try ServeFixture.jsonRows(f.churnRowsCSV, dropping: ["churned"])
        #expect(rows.count == 200 && expected.rows.count == 200)
        #expect(rows.contains { $0.contains { $0.value.isNull } }, "the rows include missing values")
        let server = try startServer(f.churn)

        // One by one, on one keep-alive connection.
        let connection = try HTTPTestConnection(port: server.port)
        for (r, row) in rows.enumerated() {
            let response = try connection.request("POST", "/predict", body: JSON.object(row).serialized())
            #expect(response.status == 200, "\(response.text)")
            let json = try response.json()
            #expect(csvText(json["prediction"]) == expected.cell(r, "prediction"), "row \(r)")
            for label in ["0", "1"] {
                #expect(csvText(json["probabilities"]?[label]) == expected.cell(r, "probability_\(label)"), "row \(r) class \(label)")
            }
            #expect(json["model_uri"]?.stringValue == f.churn)
            #expect(json.objectValue?.keys == ["prediction", "probabilities", "model_uri"])
        }

        // All at once, in order, with the entity column echoed.
        let batch = try server.request("POST", "/predict/batch", body: JSON.object(JSONObject([("samples", .array(rows.map(JSON.object)))])).serialized())
        #expect(batch.status == 200)
        let json = try batch.json()
        #expect(json["sample_count"]?.intValue == 200)
        #expect(json["model_uri"]?.stringValue == f.churn)
        let predictions = try #require(json["predictions"]?.arrayValue)
        #expect(predictions.count == 200)
        for (r, p) in predictions.enumerated() {
            #expect(p["customer_id"]?.stringValue == expected.cell(r, "customer_id"))
            #expect(csvText(p["prediction"]) == expected.cell(r, "prediction"))
            #expect(csvText(p["probabilities"]?["1"]) == expected.cell(r, "probability_1"))
            #expect(csvText(p["probabilities"]?["0"]) == expected.cell(r, "probability_0"))
        }
        server.stop()
    }

    @Test("a regression model and a tuned, calibrated boosting model serve mmp predict's values too")
    func regressionAndBoosting() throws {
        let f = try ServeFixture.shared()
        for (bundle, csv, target) in [(f.houses, f.housesRowsCSV, "sale_price"), (f.boosting, f.churnRowsCSV, "churned")] {
            let expected = try ServeFixture.predict(bundle, csv)
            let rows = try ServeFixture.jsonRows(csv, dropping: [target])
            let server = try startServer(bundle)
            let batch = try server.request("POST", "/predict/batch", body: JSON.object(JSONObject([("samples", .array(rows.map(JSON.object)))])).serialized())
            #expect(batch.status == 200, "\(batch.text)")
            let predictions = try #require(try batch.json()["predictions"]?.arrayValue)
            #expect(predictions.count == rows.count)
            for (r, p) in predictions.enumerated() {
                #expect(csvText(p["prediction"]) == expected.cell(r, "prediction"), "\(bundle) row \(r)")
                if target == "churned" {
                    #expect(csvText(p["probabilities"]?["1"]) == expected.cell(r, "probability_1"))
                } else {
                    #expect(p["probabilities"] == nil)
                }
            }
            // Single rows through the same path.
            for r in [0, 7, 42] {
                let one = try server.request("POST", "/predict", body: JSON.object(rows[r]).serialized())
                #expect(csvText(try one.json()["prediction"]) == expected.cell(r, "prediction"))
            }
            server.stop()
        }
    }

    @Test("health, ready, root, metadata and schema describe the served model")
    func describeEndpoints() throws {
        let f = try ServeFixture.shared()
        // No --host: it listens on the loopback address only (and with --workers, on that many threads).
        let server = try startServer(f.boosting, ["--workers", "2"])
        let sha = SHA256Hex.of(file: f.boosting)
        #expect(try listeningAddresses(port: server.port) == ["127.0.0.1"])

        let health = try server.request("GET", "/health")
        #expect(health.status == 200)
        #expect(try health.json()["status"]?.stringValue == "ok")

        let ready = try server.request("GET", "/ready")
        #expect(ready.status == 200)
        let r = try ready.json()
        #expect(r["status"]?.stringValue == "ready")
        #expect(r["model_uri"]?.stringValue == f.boosting)
        #expect(r["sha256"]?.stringValue == sha)
        #expect(r["version"]?.stringValue?.count == 12)

        let root = try server.request("GET", "/")
        #expect(try root.json()["status"]?.stringValue == "ready")
        #expect(try root.json()["model_uri"]?.stringValue == f.boosting)

        let metadata = try server.request("GET", "/model/metadata")
        #expect(metadata.status == 200)
        let m = try metadata.json()
        #expect(m["model_class"]?.stringValue == "GradientBoostingClassifier")
        #expect(m["class_path"]?.stringValue == "lightgbm.LGBMClassifier")
        #expect(m["task"]?.stringValue == "classification")
        #expect(m["hyperparameters"]?["n_estimators"]?.intValue == 20)
        #expect(m["tuning"]?["trials_run"]?.intValue == 2)
        #expect(m["tuning"]?["best_parameters"]?["num_leaves"] != nil)
        #expect(m["tuning"]?["trials"] == nil, "the summary leaves the trial list out")
        #expect(m["metrics"]?["roc_auc"]?.doubleValue != nil)
        #expect(m["data_fingerprint"]?.stringValue?.count == 64)
        #expect(m["created_at"]?.stringValue?.hasSuffix("Z") == true)
        #expect(m["mmp_version"]?.stringValue?.isEmpty == false)
        #expect(m["classes"] == ["0", "1"])
        #expect(m["sha256"]?.stringValue == sha)

        let schema = try server.request("GET", "/model/schema")
        #expect(schema.status == 200)
        let s = try schema.json()
        #expect(s["$schema"]?.stringValue == "https://json-schema.org/draft/2020-12/schema")
        #expect(s["type"]?.stringValue == "object")
        let required = Set(s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        #expect(required == ["tenure_months", "monthly_charges", "total_charges", "contract_type", "payment_method", "num_support_tickets", "plan_tier"])
        #expect(s["properties"]?["tenure_months"]?["type"] == ["number", "null"])
        #expect(s["properties"]?["contract_type"]?["type"] == ["string", "null"])
        #expect(s["properties"]?["customer_id"] != nil, "the entity column is a known, optional property")
        server.stop()
    }

    @Test("/metrics: Prometheus text with requests and latency by route and status, and predictions by class")
    func metrics() throws {
        let f = try ServeFixture.shared()
        let server = try startServer(f.churn)
        let rows = try ServeFixture.jsonRows(f.churnRowsCSV, dropping: ["churned"])
        let expected = try ServeFixture.predict(f.churn, f.churnRowsCSV)
        for row in rows.prefix(10) { #expect(try server.request("POST", "/predict", body: JSON.object(row).serialized()).status == 200) }
        #expect(try server.request("POST", "/predict", body: "{}").status == 422)
        let response = try server.request("GET", "/metrics")
        #expect(response.status == 200)
        #expect(response.header("content-type") == "text/plain; version=0.0.4; charset=utf-8")
        let text = response.text
        let samples = PrometheusSamples(text)
        #expect(text.contains("# TYPE mmp_serve_http_requests_total counter"))
        #expect(text.contains("# TYPE mmp_serve_http_request_duration_seconds histogram"))
        #expect(samples.value(#"mmp_serve_http_requests_total{route="/predict",method="POST",status="200"}"#) == 10)
        #expect(samples.value(#"mmp_serve_http_requests_total{route="/predict",method="POST",status="422"}"#) == 1)
        #expect(samples.value(#"mmp_serve_http_request_duration_seconds_count{route="/predict",method="POST",status="200"}"#) == 10)
        #expect(samples.value(#"mmp_serve_http_request_duration_seconds_bucket{route="/predict",method="POST",status="200",le="+Inf"}"#) == 10)
        let ones = (0..<10).filter { expected.cell($0, "prediction") == "1" }.count
        #expect(samples.value(#"mmp_serve_predictions_total{class="1"}"#) ?? 0 == Double(ones))
        #expect(samples.value(#"mmp_serve_predictions_total{class="0"}"#) ?? 0 == Double(10 - ones))
        #expect(samples.value("mmp_serve_model_ready") == 1)
        #expect(text.contains("mmp_serve_model_info{uri=\"\(f.churn)\""))
        server.stop()
    }
}

/// Prometheus text by sample (name with labels, as written) → value.
struct PrometheusSamples {
    let values: [String: Double]

    init(_ text: String) {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            values[String(line[..<space])] = Double(line[line.index(after: space)...]) ?? (line.hasSuffix("+Inf") ? .infinity : .nan)
        }
        self.values = values
    }

    func value(_ sample: String) -> Double? { values[sample] }
}

enum SHA256Hex {
    static func of(file: String) -> String {
        SHA256.hex([UInt8](FileManager.default.contents(atPath: file) ?? Data()))
    }
}

/// The IPv4 and IPv6 addresses a socket listens on at `port`, from the kernel's own tables.
func listeningAddresses(port: Int) throws -> [String] {
    var found: [String] = []
    for (table, width) in [("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)] {
        guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            // sl local_address rem_address st ...; st 0A is LISTEN.
            guard fields.count > 3, fields[3] == "0A" else { continue }
            let local = fields[1].split(separator: ":")
            guard local.count == 2, Int(local[1], radix: 16) == port, local[0].count == width else { continue }
            if width == 8, let raw = UInt32(local[0], radix: 16) {
                // Little-endian in the table: 0100007F is 127.0.0.1.
                found.append((0..<4).map { String((raw >> (8 * $0)) & 0xFF) }.joined(separator: "."))
            } else {
                found.append(String(local[0]))
            }
        }
    }
    return found
}
