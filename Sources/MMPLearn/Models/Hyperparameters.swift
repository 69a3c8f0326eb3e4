import MMPCore

/// One hyperparameter a model accepts: its recipe name, familiar aliases, type, range and default.
public struct HyperparameterSpec: Sendable {
    public enum Kind: Sendable {
        case int(ClosedRange<Int>)
        case double(ClosedRange<Double>)
        case bool
        case choice([String])
        /// An integer or null (`max_depth: null` = unlimited).
        case optionalInt(ClosedRange<Int>)
        /// A number in the range (kept as given: an integer stays an integer) or one of the words
        /// (`"null"` among them admits null), as scikit-learn's `max_features: sqrt | 0.5 | 3`.
        case numberOrChoice(ClosedRange<Double>, [String])
        /// A non-empty list of numbers in the range (`quantiles: [0.1, 0.5, 0.9]`).
        case numberList(ClosedRange<Double>)
        /// Any text (a group's name, such as causalml's `control_name`).
        case text
        /// A list of whole numbers in the range (a single number is a list of one), as
        /// scikit-learn's `hidden_layer_sizes: [100, 50]`.
        case intList(ClosedRange<Int>)
        /// A list of names or numbers (kept as given), as CatBoost's `cat_features: [city, 3]`.
        case stringList
    }

    public var name: String
    public var aliases: [String]
    public var kind: Kind
    public var defaultValue: JSON
    public var summary: String

    public init(_ name: String, _ kind: Kind, default defaultValue: JSON, aliases: [String] = [], _ summary: String = "") {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.aliases = aliases
        self.summary = summary
    }

    /// The value if it fits this spec (numbers converted to the spec's type), else a message.
    public func accept(_ given: JSON) -> Result<JSON, ParameterProblem> {
        // Python's null as the Python tool's recipe template prints it (`{{ value }}` of None).
        let value: JSON = given.stringValue == "None" ? .null : given
        func bad(_ expected: String) -> Result<JSON, ParameterProblem> {
            .failure(ParameterProblem(name: name, message: "expected \(expected), found \(value.typeDescription)"))
        }
        switch kind {
        case .int(let range):
            guard let i = value.intValue else { return bad("a whole number") }
            guard range.contains(i) else { return bad("a whole number from \(range.lowerBound) to \(range.upperBound)") }
            return .success(.int(i))
        case .optionalInt(let range):
            if value.isNull { return .success(.null) }
            guard let i = value.intValue else { return bad("a whole number or null") }
            guard range.contains(i) else { return bad("a whole number from \(range.lowerBound) to \(range.upperBound), or null") }
            return .success(.int(i))
        case .double(let range):
            guard let d = value.doubleValue else { return bad("a number") }
            guard range.contains(d) else {
                return bad("a number from \(JSON.format(range.lowerBound)) to \(JSON.format(range.upperBound))")
            }
            return .success(.double(d))
        case .bool:
            guard let b = value.boolValue else { return bad("true or false") }
            return .success(.bool(b))
        case .numberOrChoice(let range, let options):
            if let d = value.doubleValue {
                guard range.contains(d) else {
                    return bad("a number from \(JSON.format(range.lowerBound)) to \(JSON.format(range.upperBound))\(options.isEmpty ? "" : " or one of: \(options.joined(separator: ", "))")")
                }
                // 1 and 1.0 differ here (one feature vs all of them), so the JSON case decides.
                if case .int = value { return .success(value) }
                return .success(.double(d))
            }
            if value.isNull, options.contains("null") { return .success(.null) }
            guard let s = value.stringValue, options.contains(s) else {
                return bad(options.isEmpty ? "a number" : "a number or one of: \(options.joined(separator: ", "))")
            }
            return .success(.string(s))
        case .text:
            guard let s = value.stringValue ?? (value.isNull ? nil : value.plainText), !s.isEmpty else { return bad("a name") }
            return .success(.string(s))
        case .numberList(let range):
            guard let items = value.arrayValue, !items.isEmpty else { return bad("a list of numbers") }
            var out: [JSON] = []
            for item in items {
                guard let d = item.doubleValue, range.contains(d) else {
                    return bad("a list of numbers from \(JSON.format(range.lowerBound)) to \(JSON.format(range.upperBound))")
                }
                out.append(.double(d))
            }
            return .success(.array(out))
        case .intList(let range):
            let items = value.arrayValue ?? [value]
            let numbers = items.compactMap(\.intValue)
            guard !items.isEmpty, numbers.count == items.count else { return bad("a list of whole numbers") }
            guard numbers.allSatisfy(range.contains) else { return bad("whole numbers from \(range.lowerBound) to \(range.upperBound)") }
            return .success(.array(numbers.map { .int($0) }))
        case .stringList:
            let items = value.isNull ? [] : (value.arrayValue ?? [value])
            guard items.allSatisfy({ $0.stringValue != nil || $0.intValue != nil }) else { return bad("a list of column names or indices") }
            return .success(.array(items))
        case .choice(let options):
            guard let s = value.stringValue ?? (value.isNull ? "null" : nil) else { return bad("one of: \(options.joined(separator: ", "))") }
            guard options.contains(s) else {
                return .failure(ParameterProblem(name: name, message: "'\(s)' is not allowed\(Suggestion.hint(for: s, in: options)) (expected one of: \(options.joined(separator: ", ")))"))
            }
            return .success(.string(s))
        }
    }
}

public struct ParameterProblem: Error, Sendable, Equatable {
    public var name: String
    public var message: String
    public init(name: String, message: String) { self.name = name; self.message = message }
}

/// Resolved hyperparameters: every declared name present, with its default when not given.
public struct Hyperparameters: Sendable, Equatable {
    public private(set) var values: [String: JSON]

    public init(_ values: [String: JSON]) { self.values = values }

    public subscript(name: String) -> JSON? { values[name] }

    public func int(_ name: String) -> Int { values[name]?.intValue ?? 0 }
    public func optionalInt(_ name: String) -> Int? { values[name]?.intValue }
    public func double(_ name: String) -> Double { values[name]?.doubleValue ?? 0 }
    public func bool(_ name: String) -> Bool { values[name]?.boolValue ?? false }
    public func string(_ name: String) -> String { values[name]?.stringValue ?? "" }

    /// As a JSON object in sorted key order (for bundles and job metrics).
    public var json: JSON {
        .object(JSONObject(values.keys.sorted().map { ($0, values[$0]!) }))
    }
}

/// Parameters every model accepts for compatibility with scikit-learn, LightGBM and XGBoost
/// recipes. `random_state`/`seed` set the fit's seed; the others change nothing here.
public enum CommonParameters {
    public static let seedNames = ["random_state", "seed", "random_seed"]
    public static let ignored = ["n_jobs", "nthread", "num_threads", "verbose", "verbosity", "silent", "eval_metric",
                                 "use_label_encoder", "importance_type", "tree_method", "device", "warm_start",
                                 "copy_X", "boosting_type", "objective", "metric"]
}
