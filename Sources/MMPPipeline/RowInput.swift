import MMPCore
import MMPLearn

/// One thing wrong with a prediction row, named by row and column (the server answers 422 with
/// every problem of a request, the way FastAPI lists pydantic's validation errors).
public struct InputProblem: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case missingColumn = "missing"
        case notNumeric = "not_numeric"
        case nonFinite = "non_finite"
        case notATime = "not_a_time"
        case notAScalar = "not_a_scalar"
        case fromFeatureStore = "from_feature_store"
        case unknownCategory = "unknown_category"
        case invalidValue = "invalid_value"
    }

    /// The row's index in the request (nil for a single-row request).
    public var row: Int?
    public var column: String?
    public var kind: Kind
    public var message: String

    public init(row: Int?, column: String?, kind: Kind, message: String) {
        self.row = row; self.column = column; self.kind = kind; self.message = message
    }
}

public struct RowInputError: Error, Sendable {
    public var problems: [InputProblem]
    public init(_ problems: [InputProblem]) { self.problems = problems }
}

/// Turns prediction rows given as JSON objects into the `Table` that `PredictPipeline.predict`
/// takes, each column of the kind the model was trained on: numbers for numeric columns
/// (numeric text accepted, as a CSV would hold it), text for categorical ones (numbers written
/// as `CSVWriter` writes them, as `PredictPipeline.align` converts a numeric CSV column), ISO
/// times for timestamps; null is a missing value, as an empty CSV cell is. Everything after the
/// table is `mmp predict`'s own path.
public enum RowInput {
    /// The most problems one error lists.
    public static let problemLimit = 50

    /// - Parameter numbered: whether problems name the row (a batch) or not (one object).
    public static func table(_ rows: [JSONObject], schema: RowSchema, numbered: Bool) throws(RowInputError) -> Table {
        try table(RowCells(rows, schema: schema), schema: schema, numbered: numbered)
    }

    /// The same from cells read straight from the request's bytes (`RowDecoder`).
    public static func table(_ cells: RowCells, schema: RowSchema, numbered: Bool) throws(RowInputError) -> Table {
        var problems: [InputProblem] = []
        func problem(_ row: Int, _ column: String?, _ kind: InputProblem.Kind, _ message: String) {
            if problems.count < problemLimit { problems.append(InputProblem(row: numbered ? row : nil, column: column, kind: kind, message: message)) }
        }
        let requiredKeys = schema.fields.filter { $0.role == .entity && $0.required }.map(\.name).joined(separator: ", ")
        let fromStore = Dictionary(grouping: cells.fromFeatureStore, by: \.row)
        for r in 0..<cells.rowCount {
            for (f, field) in schema.fields.enumerated() where field.required && cells.values[f][r] == nil {
                problem(r, field.name, .missingColumn, "required column '\(field.name)' is missing")
            }
            for sent in fromStore[r] ?? [] {
                problem(r, sent.column, .fromFeatureStore, "'\(sent.column)' comes from the online feature store; send the entity keys (\(requiredKeys)) without it")
            }
        }
        var columns: [Column] = []
        for (f, field) in schema.fields.enumerated() {
            guard field.required || cells.values[f].contains(where: { $0 != nil }) else { continue }
            let values = cells.values[f].map { $0 ?? .null }
            columns.append(column(field, values) { r, kind, message in problem(r, field.name, kind, message) })
        }
        guard problems.isEmpty else { throw RowInputError(problems) }
        do {
            return try Table(columns: columns)
        } catch {
            throw RowInputError([InputProblem(row: nil, column: nil, kind: .invalidValue, message: MMPError.wrap(error).message)])
        }
    }

    static func column(_ field: RowSchema.Field, _ values: [JSON],
                       problem: (Int, InputProblem.Kind, String) -> Void) -> Column {
        switch field.kind {
        case .numeric?:
            return .numeric(field.name, values.enumerated().map { r, value in number(value, r, problem) })
        case .categorical?:
            return .categorical(field.name, values.enumerated().map { r, value in text(value, r, problem) })
        case .timestamp?:
            return .timestamp(field.name, values.enumerated().map { r, value in
                if value.isNull { return .nan }
                if case .string(let s) = value, let t = Timestamp.parse(s.trimmed()) { return t }
                problem(r, .notATime, "expected a date or time (2024-06-30 or 2024-06-30T12:00:00Z), found \(value.typeDescription)")
                return .nan
            })
        case nil:
            // An entity column: numbers stay numbers (keys are written as CSVWriter formats them);
            // any text makes the column text.
            if values.allSatisfy({ $0.isNull || $0.doubleValue != nil }) {
                return .numeric(field.name, values.enumerated().map { r, value in number(value, r, problem) })
            }
            return .categorical(field.name, values.enumerated().map { r, value in text(value, r, problem) })
        }
    }

    static func number(_ value: JSON, _ row: Int, _ problem: (Int, InputProblem.Kind, String) -> Void) -> Double {
        let d: Double
        switch value {
        case .null: return .nan
        case .int(let i): d = Double(i)
        case .double(let x): d = x
        case .string(let s):
            guard let x = plainNumber(s.trimmed()) else {
                problem(row, .notNumeric, "expected a number, found \(value.typeDescription)")
                return .nan
            }
            d = x
        case .bool, .array, .object:
            problem(row, .notNumeric, "expected a number, found \(value.typeDescription)")
            return .nan
        }
        guard d.isFinite else {
            problem(row, .nonFinite, "expected a finite number, found \(JSON.format(d))")
            return .nan
        }
        return d
    }

    /// Decimal text as a CSV holds numbers (digits, sign, point, exponent); not "inf", "nan" or hex.
    static func plainNumber(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 43 || $0 == 45 || $0 == 46 || $0 == 101 || $0 == 69 })
        else { return nil }
        return Double(text)
    }

    static func text(_ value: JSON, _ row: Int, _ problem: (Int, InputProblem.Kind, String) -> Void) -> String? {
        switch value {
        case .null: return nil
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d):
            guard d.isFinite else {
                problem(row, .nonFinite, "expected a finite number or text, found \(JSON.format(d))")
                return nil
            }
            return CSVWriter.format(d)
        case .bool(let b): return b ? "true" : "false"
        case .array, .object:
            problem(row, .notAScalar, "expected a single value, found \(value.typeDescription)")
            return nil
        }
    }
}
