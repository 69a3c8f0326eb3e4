import Foundation
import MMPCore
import MMPLearn
import MMPTestSupport
import Testing

/// Models trained once per test process by the real `mmp train` (local config, CSVs from the
/// repository), and what `mmp predict` answers for them: the reference every served
/// prediction must equal to the last digit.
struct ServeFixture: Sendable {
    let root: String
    let configDirectory: String
    /// Classifier with imputers, one-hot encoding (unknown categories ignored) and scaling.
    let churn: String
    /// The same with one_hot_encoder handle_unknown: error, so an unknown category is refused.
    let churnStrict: String
    /// The same recipe with another C: a second version for hot swaps.
    let churnOther: String
    /// Tuned, calibrated gradient boosting.
    let boosting: String
    /// Regression (ridge).
    let houses: String
    /// 200 rows of data/customers.csv (some with missing values) and 100 of data/houses.csv.
    let churnRowsCSV: String
    let housesRowsCSV: String

    static func shared() throws -> ServeFixture {
        switch built {
        case .success(let f): return f
        case .failure(let e): throw e
        }
    }

    private static let built: Result<ServeFixture, MMPError> = {
        do { return .success(try build()) } catch { return .failure(MMPError.wrap(error)) }
    }()

    static func build() throws -> ServeFixture {
        let root = try TestEnvironment.temporaryDirectory("mmp-serve")
        let config = "\(root)/config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try writeFile("\(config)/base.yaml", try readFile("\(TestEnvironment.repoRoot)/config/base.yaml"))
        try writeFile("\(config)/local.yaml", """
            environment: {name: local}
            adapters:
              local_files: {base_path: \(TestEnvironment.repoRoot)}
              filesystem: {root: \(root)/artifacts}
            """)
        let strict = try readFile("\(TestEnvironment.repoRoot)/recipes/churn_logistic.yaml")
            .replacing("name: churn_logistic", with: "name: churn_strict")
            .replacing("    - type: one_hot_encoder\n", with: "    - type: one_hot_encoder\n      handle_unknown: error\n")
        try writeFile("\(root)/churn_strict.yaml", strict)

        func train(_ recipe: String, _ params: [String] = []) throws -> String {
            let result = try runBinary("mmp", ["train", recipe, "--json", "--config-dir", config] + params.flatMap { ["--param", $0] },
                                       environment: ["APP_ENV": "local"])
            guard result.status == 0 else { throw MMPError.io("mmp train \(recipe) failed: \(result.stderr)") }
            guard let uri = try JSON.parse(result.stdout.trimmed())["artifact"]?["uri"]?.stringValue else {
                throw MMPError.io("mmp train \(recipe) printed no artifact: \(result.stdout)")
            }
            return String(uri.dropFirst("file://".count))
        }

        let churnRows = try head("\(TestEnvironment.repoRoot)/data/customers.csv", rows: 200)
        let housesRows = try head("\(TestEnvironment.repoRoot)/data/houses.csv", rows: 100)
        try writeFile("\(root)/churn_rows.csv", churnRows)
        try writeFile("\(root)/houses_rows.csv", housesRows)
        return ServeFixture(
            root: root, configDirectory: config,
            churn: try train("churn_logistic"),
            churnStrict: try train("\(root)/churn_strict.yaml"),
            churnOther: try train("churn_logistic", ["model.hyperparameters.values.C=0.01"]),
            boosting: try train("churn_boosting_tuned", ["model.hyperparameters.n_trials=2", "model.hyperparameters.fixed.n_estimators=20"]),
            houses: try train("house_prices_ridge"),
            churnRowsCSV: "\(root)/churn_rows.csv", housesRowsCSV: "\(root)/houses_rows.csv")
    }

    /// The header and the first `rows` records of a CSV file.
    static func head(_ path: String, rows: Int) throws -> String {
        try readFile(path).split(separator: "\n", omittingEmptySubsequences: false).prefix(rows + 1).joined(separator: "\n") + "\n"
    }

    /// `mmp predict --model bundle --data csv`, as a table of text cells.
    static func predict(_ bundle: String, _ csv: String, environment: [String: String] = ["APP_ENV": "local"],
                        extra: [String] = []) throws -> CSVCells {
        let result = try runBinary("mmp", ["predict", "--model", bundle, "--data", csv] + extra, environment: environment)
        guard result.status == 0 else { throw MMPError.io("mmp predict failed: \(result.stderr)") }
        return CSVCells(result.stdout)
    }

    /// The rows of a CSV file as the JSON objects a client would send: numbers as numbers,
    /// text as strings, empty cells as null.
    static func jsonRows(_ csv: String, dropping: Set<String> = []) throws -> [JSONObject] {
        let table = try CSVReader(source: csv).read(try readFile(csv))
        return (0..<table.rowCount).map { r in
            JSONObject(table.columns.filter { !dropping.contains($0.name) }.map { column in
                if column.isMissing(r) { return (column.name, JSON.null) }
                switch column.values {
                case .numeric(let v): return (column.name, v[r] == v[r].rounded() && abs(v[r]) < 1e15 ? .int(Int(v[r])) : .double(v[r]))
                default: return (column.name, .string(column.text(at: r)))
                }
            })
        }
    }
}

/// A CSV as text cells by column name (what `mmp predict` wrote, digit for digit).
struct CSVCells: Sendable {
    let header: [String]
    let rows: [[String]]

    init(_ text: String) {
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        header = lines.first ?? []
        rows = Array(lines.dropFirst())
    }

    func cell(_ row: Int, _ column: String) -> String? {
        header.firstIndex(of: column).map { rows[row][$0] }
    }
}

/// A served number as `mmp predict` writes it to CSV (`CSVWriter.format`): the same text means
/// the same double, bit for bit.
func csvText(_ value: JSON?) -> String? {
    switch value {
    case .int(let i)?: return CSVWriter.format(Double(i))
    case .double(let d)?: return CSVWriter.format(d)
    case .string(let s)?: return s
    case .null?: return ""
    default: return nil
    }
}

/// A running `mmp serve`, stopped when the test ends.
func startServer(_ model: String, _ extra: [String] = [], environment: [String: String] = ["APP_ENV": "local"],
                 waitForModel: Bool = true) throws -> ServerProcess {
    let server = try ServerProcess("mmp", ["serve", "--model", model] + extra, environment: environment)
    try server.waitUntilListening()
    if waitForModel { try server.waitUntilOK(path: "/ready") }
    return server
}
