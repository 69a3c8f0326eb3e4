import MMPCore

/// Whether a transform runs on training rows or on rows to predict. Only row-dropping steps
/// care: they drop rows while training and keep every row at prediction time.
public enum TransformMode: Sendable { case training, inference }

/// A configured preprocessing step, fitted on the training split only.
public protocol PreprocessingStep: Sendable {
    /// - Parameters:
    ///   - table: the training rows (features, and the target column, which steps leave alone).
    ///   - columns: the columns this step applies to, already resolved by the pipeline.
    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform
    /// Fits with what the recipe says about its columns (target, task, entities, time), for
    /// steps that learn from the target or work per entity in time order.
    func fit(_ table: Table, columns: [String], roles: StepRoles) throws -> any FittedTransform
    /// Fits and transforms the training rows at once. Steps whose training output differs from
    /// what the fitted step gives other rows (ordered target statistics) override it.
    func fitTransform(_ table: Table, columns: [String], roles: StepRoles) throws -> (any FittedTransform, Table)
}

extension PreprocessingStep {
    public func fit(_ table: Table, columns: [String], roles: StepRoles) throws -> any FittedTransform {
        try fit(table, columns: columns)
    }

    public func fitTransform(_ table: Table, columns: [String], roles: StepRoles) throws -> (any FittedTransform, Table) {
        let fitted = try fit(table, columns: columns, roles: roles)
        return (fitted, try fitted.transform(table, mode: .training))
    }
}

/// What a step may know about the recipe's columns besides those it transforms.
public struct StepRoles: Sendable {
    public var target: String?
    public var task: MLTask?
    public var entities: [String]
    /// The column that orders rows in time (data_interface.timestamp_column or the fetcher's).
    public var timestamp: String?
    public var seed: UInt64

    public init(target: String? = nil, task: MLTask? = nil, entities: [String] = [], timestamp: String? = nil, seed: UInt64 = 42) {
        self.target = target; self.task = task; self.entities = entities; self.timestamp = timestamp; self.seed = seed
    }
}

/// A fitted step; saved in model bundles by `typeName` (see `PreprocessorCodec`).
public protocol FittedTransform: Sendable, BinaryCodable {
    static var typeName: String { get }
    func transform(_ table: Table, mode: TransformMode) throws -> Table
}

/// Which columns a step applies to when the recipe gives no `columns` list.
public enum ColumnSelection: Sendable {
    case numeric, categorical, all

    /// The columns of `features` (in their order) that this selection takes in `table`.
    public func select(in table: Table, among features: [String]) -> [String] {
        features.filter { name in
            guard let kind = table.column(name)?.kind else { return false }
            switch self {
            case .numeric: return kind == .numeric
            case .categorical: return kind == .categorical
            case .all: return true
            }
        }
    }
}

/// An option a step accepts besides `type` and `columns` (e.g. `strategy`, `n_bins`).
public struct StepOption: Sendable {
    public var name: String
    public var kind: HyperparameterSpec.Kind?  // nil: any JSON value (e.g. fill_value)
    public var defaultValue: JSON
    public var summary: String

    public init(_ name: String, _ kind: HyperparameterSpec.Kind?, default defaultValue: JSON, _ summary: String = "") {
        self.name = name; self.kind = kind; self.defaultValue = defaultValue; self.summary = summary
    }
}

public struct PreprocessorDescriptor: Sendable {
    /// The recipe's `type`, e.g. `simple_imputer`.
    public var name: String
    public var summary: String
    public var defaultColumns: ColumnSelection
    public var options: [StepOption]
    public var make: @Sendable (StepOptions) throws -> any PreprocessingStep
    public var fittedTypes: [any FittedTransform.Type]

    public init(name: String, summary: String, defaultColumns: ColumnSelection, options: [StepOption],
                fittedTypes: [any FittedTransform.Type], make: @escaping @Sendable (StepOptions) throws -> any PreprocessingStep) {
        self.name = name; self.summary = summary; self.defaultColumns = defaultColumns; self.options = options
        self.fittedTypes = fittedTypes; self.make = make
    }

    /// Checks a step's options like hyperparameters: unknown names with a suggestion, types,
    /// ranges, defaults filled in.
    public func resolve(_ given: JSONObject) -> (StepOptions, [ParameterProblem]) {
        var values: [String: JSON] = [:]
        var problems: [ParameterProblem] = []
        for (key, value) in given {
            guard let option = options.first(where: { $0.name == key }) else {
                let names = options.map(\.name)
                let hint = Suggestion.closest(to: key, in: names + ["type", "columns"]).map { "did you mean '\($0)'?" }
                    ?? (names.isEmpty ? "\(name) takes only type and columns" : "\(name) accepts: \(names.joined(separator: ", "))")
                problems.append(ParameterProblem(name: key, message: "not an option of \(name); \(hint)"))
                continue
            }
            if let kind = option.kind {
                switch HyperparameterSpec(option.name, kind, default: option.defaultValue).accept(value) {
                case .success(let v): values[key] = v
                case .failure(let p): problems.append(p)
                }
            } else {
                values[key] = value
            }
        }
        for option in options where values[option.name] == nil { values[option.name] = option.defaultValue }
        return (StepOptions(values), problems)
    }
}

public typealias StepOptions = Hyperparameters

/// A group of related preprocessing steps, each group in its own file.
public protocol PreprocessorFamily: SendableMetatype {
    static var descriptors: [PreprocessorDescriptor] { get }
}

public enum PreprocessorCatalog {
    public static let families: [any PreprocessorFamily.Type] = [
        Imputers.self, Scalers.self, Encoders.self, FeatureGenerators.self, SequenceFills.self, SupervisedSteps.self,
    ]

    public static let all: [PreprocessorDescriptor] = families.flatMap { $0.descriptors }

    public static func lookup(_ name: String) -> PreprocessorDescriptor? { all.first { $0.name == name } }

    public static func require(_ name: String) throws -> PreprocessorDescriptor {
        if let d = lookup(name) { return d }
        let names = all.map(\.name)
        throw MMPError(.invalidRecipe, "unknown preprocessor '\(name)'\(Suggestion.hint(for: name, in: names)) (known: \(names.joined(separator: ", ")))")
    }
}

/// Loads fitted steps from bundles by type name.
public enum PreprocessorCodec {
    public static let types: [String: any FittedTransform.Type] = {
        var map: [String: any FittedTransform.Type] = [:]
        for d in PreprocessorCatalog.all { for t in d.fittedTypes { map[t.typeName] = t } }
        return map
    }()

    public static func encode(_ step: any FittedTransform, to writer: inout ByteWriter) {
        writer.write(type(of: step).typeName)
        step.encode(to: &writer)
    }

    public static func decode(from reader: inout ByteReader) throws -> any FittedTransform {
        let name = try reader.readString()
        guard let type = types[name] else {
            throw MMPError.corrupt("the bundle holds a preprocessing step of type '\(name)', which this mmp version does not know")
        }
        return try type.init(from: &reader)
    }
}

/// The fitted steps of a recipe, applied in order.
public struct FittedPreprocessor: Sendable, BinaryCodable {
    public var steps: [any FittedTransform]

    public init(steps: [any FittedTransform]) { self.steps = steps }

    public func transform(_ table: Table, mode: TransformMode) throws -> Table {
        var t = table
        for step in steps { t = try step.transform(t, mode: mode) }
        return t
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(steps.count)
        for step in steps { PreprocessorCodec.encode(step, to: &writer) }
    }

    public init(from reader: inout ByteReader) throws {
        let n = try reader.readInt()
        guard n >= 0, n < 10_000 else { throw MMPError.corrupt("impossible preprocessing step count \(n)") }
        steps = try (0..<n).map { _ in try PreprocessorCodec.decode(from: &reader) }
    }
}
