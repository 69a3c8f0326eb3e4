import HTTPTypes
import Hummingbird
import MMPAdapters
import MMPCore
import MMPHTTP
import MMPLearn
import MMPPipeline

/// Answers `/predict` and `/predict/batch` with `mmp predict`'s own code: the JSON rows become
/// the table `PredictPipeline.predict` takes (`RowInput`), online features come through the
/// feature store's lookup as in `mmp predict --entities`, then the bundle's preprocessing and
/// model run unchanged. Everything a caller can get wrong is an `APIError` (422, 404, 503, 504).
struct Predictor: Sendable {
    let slot: ModelSlot
    let metrics: ServeMetrics
    let timeout: Duration
    /// Rows predicted between two looks at the deadline.
    static let chunkRows = 1024

    struct Answer {
        var model: ServedModel
        /// The JSON text of the response.
        var body: String
    }

    /// `POST /predict`: one flat object of column → value.
    func predictOne(_ body: [UInt8], deadline: ContinuousClock.Instant) async throws -> Answer {
        let model = try current()
        let cells: RowCells
        do {
            cells = try model.decoder.decodeOne(body)
        } catch {
            throw Self.bodyError(error)
        }
        let fields = try await predict(cells, model: model, numbered: false, deadline: deadline)
        return Answer(model: model, body: "{" + fields[0] + ",\"model_uri\":" + model.quotedURI + "}")
    }

    /// `POST /predict/batch`: `{"samples": [objects]}`, one result per sample, in order, with the
    /// sample's entity columns echoed.
    func predictBatch(_ body: [UInt8], deadline: ContinuousClock.Instant) async throws -> Answer {
        let model = try current()
        let cells: RowCells
        do {
            cells = try model.decoder.decodeBatch(body)
        } catch {
            throw Self.bodyError(error)
        }
        guard cells.rowCount > 0 else {
            throw APIError(.unprocessableContent, code: "EMPTY_BATCH", message: "samples is empty: give at least one row")
        }
        let fields = try await predict(cells, model: model, numbered: true, deadline: deadline)
        // Each sample's entity columns first, as sent, then its prediction.
        let entities: [(cells: [JSON?], key: String)] = model.bundle.entityColumns.compactMap { name in
            model.schema.fields.firstIndex { $0.name == name }.map { (cells.values[$0], JSON.string(name).serialized() + ":") }
        }
        var text = "{\"predictions\":["
        text.reserveCapacity(cells.rowCount * ((fields.first?.utf8.count ?? 0) + 40))
        for r in 0..<cells.rowCount {
            text += r == 0 ? "{" : ",{"
            for entity in entities {
                if let value = entity.cells[r] { text += entity.key + value.serialized() + "," }
            }
            text += fields[r] + "}"
        }
        text += "],\"model_uri\":" + model.quotedURI + ",\"sample_count\":" + String(cells.rowCount) + "}"
        return Answer(model: model, body: text)
    }

    static func bodyError(_ error: RowDecodingError) -> APIError {
        switch error {
        case .invalidJSON(let message):
            return APIError(.unprocessableContent, code: "INVALID_JSON", message: "the body is not JSON: \(message)")
        case .notAnObject:
            return APIError(.unprocessableContent, code: "INVALID_BODY",
                            message: "the body must be one JSON object of column → value (see GET /model/schema)")
        case .noSamples:
            return APIError(.unprocessableContent, code: "INVALID_BODY", message: "the body must be {\"samples\": [objects of column → value]}",
                            detail: .array([APIError.problem(loc: ["body", "samples"], message: "a list of objects is required", type: "missing")]))
        case .samplesNotObjects(let rows):
            return APIError(.unprocessableContent, code: "INVALID_BODY", message: "every sample must be an object of column → value",
                            detail: .array(rows.prefix(RowInput.problemLimit).map {
                                APIError.problem(loc: ["body", "samples", .int($0)], message: "expected an object", type: "not_an_object")
                            }))
        }
    }

    // MARK: The path of every prediction

    func current() throws -> ServedModel {
        guard let model = slot.model else {
            let reason = slot.lastError.map { "; last attempt: \($0)" } ?? ""
            throw APIError(.serviceUnavailable, code: "MODEL_NOT_READY", message: "the model is not loaded yet\(reason)",
                           headers: [.retryAfter: "1"])
        }
        return model
    }

    /// The prediction fields of each row, as JSON text.
    func predict(_ cells: RowCells, model: ServedModel, numbered: Bool, deadline: ContinuousClock.Instant) async throws -> [String] {
        var input: Table
        do {
            input = try RowInput.table(cells, schema: model.schema, numbered: numbered)
        } catch {
            throw Self.validationError(error.problems)
        }
        try check(deadline)
        if let online = model.online {
            input = try await lookup(input, online: online, numbered: numbered)
            try check(deadline)
        }
        var results: [String] = []
        var labels: [String] = []
        results.reserveCapacity(cells.rowCount)
        var start = 0
        while start < input.rowCount {
            let end = min(input.rowCount, start + Self.chunkRows)
            let chunk = start == 0 && end == input.rowCount ? input : input.selecting(rows: Array(start..<end))
            let output: Table
            do {
                output = try PredictPipeline.predict(model.bundle, input: chunk)
            } catch let error as MMPError where error.kind == .invalidData || error.kind == .missingColumn || error.kind == .invalidInput {
                throw Self.rowErrors(chunk, offset: start, model: model, numbered: numbered, first: error)
            }
            let written = model.writer.rows(output)
            results += written.fields
            labels += written.labels
            start = end
            if start < input.rowCount { try check(deadline) }
        }
        metrics.count(labels)
        return results
    }

    func lookup(_ input: Table, online: OnlineFeatures, numbered: Bool) async throws -> Table {
        let found: OnlineLookup
        do {
            found = try await online.lookup(input)
        } catch let error as MMPError {
            switch error.kind {
            case .connection, .timeout, .io:
                throw APIError(.serviceUnavailable, code: "FEATURE_STORE_UNAVAILABLE",
                               message: "the online feature store did not answer: \(error.message)", headers: [.retryAfter: "1"])
            case .notFound:
                throw APIError(.serviceUnavailable, code: "FEATURES_NOT_MATERIALIZED", message: error.message)
            default:
                throw APIError(.unprocessableContent, code: "INVALID_ENTITY", message: error.message)
            }
        }
        guard found.missing.isEmpty else {
            let detail = found.missing.prefix(RowInput.problemLimit).map { miss -> JSON in
                let key = miss.key.keys.sorted().map { "\($0)=\(miss.key[$0]!)" }.joined(separator: ", ")
                var loc: [JSON] = ["body"]
                if numbered { loc += ["samples", .int(miss.row)] }
                return APIError.problem(loc: loc, message: "no online features for \(key) in feature view '\(miss.view)' (not materialized, or expired)", type: "entity_not_found")
            }
            let first = found.missing[0]
            let key = first.key.keys.sorted().map { "\($0)=\(first.key[$0]!)" }.joined(separator: ", ")
            throw APIError(.notFound, code: "ENTITY_NOT_FOUND",
                           message: "no online features for \(key) in feature view '\(first.view)'\(found.missing.count > 1 ? " (and \(found.missing.count - 1) more)" : ""); run mmp features materialize, or check the key",
                           detail: .array(detail))
        }
        return found.table
    }

    func check(_ deadline: ContinuousClock.Instant) throws {
        if ContinuousClock.now > deadline {
            throw APIError(.gatewayTimeout, code: "REQUEST_TIMEOUT",
                           message: "the request took longer than the server's request timeout (\(Self.format(timeout))); send fewer rows per request")
        }
    }

    static func format(_ d: Duration) -> String {
        let s = d.seconds
        return s < 1 ? "\(Int((s * 1000).rounded()))ms" : "\(CSVWriter.format(s))s"
    }

    // MARK: Errors

    static func validationError(_ problems: [InputProblem]) -> APIError {
        let kinds = Set(problems.map(\.kind))
        let code = kinds.count == 1 ? errorCode(problems[0].kind) : "VALIDATION_ERROR"
        let detail = problems.map { p -> JSON in
            var loc: [JSON] = ["body"]
            if let row = p.row { loc += ["samples", .int(row)] }
            if let column = p.column { loc.append(.string(column)) }
            return APIError.problem(loc: loc, message: p.message, type: p.kind.rawValue)
        }
        let first = problems[0]
        // The first problem in words (a missing column's message names it already); `detail` has all.
        let column = first.kind == .missingColumn || first.message.contains("'\(first.column ?? "")'") ? nil : first.column.map { "column '\($0)'" }
        let place = [first.row.map { "sample \($0)" }, column].compactMap { $0 }.joined(separator: ", ")
        let more = problems.count > 1 ? " (and \(problems.count - 1) more problem\(problems.count == 2 ? "" : "s"))" : ""
        return APIError(.unprocessableContent, code: code, message: "\(place.isEmpty ? "" : place + ": ")\(first.message)\(more)", detail: .array(detail))
    }

    static func errorCode(_ kind: InputProblem.Kind) -> String {
        switch kind {
        case .missingColumn: return "MISSING_COLUMN"
        case .notNumeric: return "NOT_NUMERIC"
        case .nonFinite: return "NON_FINITE_NUMBER"
        case .notATime: return "NOT_A_TIME"
        case .notAScalar: return "NOT_A_SCALAR"
        case .fromFeatureStore: return "COLUMN_FROM_FEATURE_STORE"
        case .unknownCategory: return "UNKNOWN_CATEGORY"
        case .invalidValue: return "INVALID_VALUE"
        }
    }

    /// The pipeline refused a chunk (an encoder met a category it cannot take): predict its rows
    /// one by one to name each failing row, as pydantic names each invalid field.
    static func rowErrors(_ chunk: Table, offset: Int, model: ServedModel, numbered: Bool, first: MMPError) -> APIError {
        var problems: [InputProblem] = []
        if numbered, chunk.rowCount > 1 {
            for r in 0..<chunk.rowCount where problems.count < RowInput.problemLimit {
                do { _ = try PredictPipeline.predict(model.bundle, input: chunk.selecting(rows: [r])) } catch {
                    problems.append(problem(MMPError.wrap(error), row: offset + r))
                }
            }
        }
        if problems.isEmpty { problems.append(problem(first, row: numbered ? offset : nil)) }
        return validationError(problems)
    }

    static func problem(_ error: MMPError, row: Int?) -> InputProblem {
        // The encoders' refusal names the column first: "one_hot_encoder: column 'x' holds 'y', a category not seen in training".
        let unknown = error.message.contains("not seen in training")
        var column: String?
        if let open = error.message.range(of: "column '"), let close = error.message[open.upperBound...].firstIndex(of: "'") {
            column = String(error.message[open.upperBound..<close])
        }
        return InputProblem(row: row, column: column, kind: unknown ? .unknownCategory : .invalidValue, message: error.message)
    }
}
