#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// Steps that learn from the target: CatBoost-style target statistics and leaf features of a
/// small random forest (the Python modern-ml-pipeline's catboost_encoder and
/// tree_based_feature_generator). Both are fitted on the training rows only.
public enum SupervisedSteps: PreprocessorFamily {
    public static let descriptors: [PreprocessorDescriptor] = [
        PreprocessorDescriptor(
            name: "catboost_encoder",
            summary: "each category becomes a target statistic: on training rows the ordered statistic of the rows before it (CatBoost's, so a row never sees its own target), elsewhere the smoothed mean of all training rows; one column per class for three or more classes",
            defaultColumns: .categorical,
            options: [
                StepOption("sigma", .numberOrChoice(0...10, ["null"]), default: 0.05,
                           "standard deviation of the multiplicative Gaussian noise on training encodings (null or 0: none)"),
                StepOption("a", .double(1e-12...1e12), default: 1.0, "weight of the prior (the target mean) in each statistic"),
            ],
            fittedTypes: [FittedCatBoostEncoder.self],
            make: { CatBoostEncoder($0) }),
        PreprocessorDescriptor(
            name: "tree_based_feature_generator",
            summary: "fits a small random forest on the columns and the target and replaces the columns by 0/1 columns treefeature_x<tree>_<leaf>, one per leaf a training row reached",
            defaultColumns: .numeric,
            options: [
                StepOption("n_estimators", .int(1...10_000), default: 10, "trees"),
                StepOption("max_depth", .int(1...30), default: 3, "depth of each tree"),
                StepOption("random_state", .int(0...Int(Int32.max)), default: 42, "the forest's seed"),
            ],
            fittedTypes: [FittedTreeFeatures.self],
            make: { TreeFeatureGenerator($0) }),
    ]

    /// The training target as numbers: regression values, or class indices with the labels.
    static func target(_ table: Table, roles: StepRoles, step: String) throws -> (values: [Double], labels: LabelEncoding?) {
        guard let name = roles.target, let column = table.column(name) else {
            throw MMPError(.invalidRecipe, "\(step) learns from the target, but the recipe names no target column (data.data_interface.target_column)")
        }
        if roles.task == .regression, let v = column.doubles { return (v, nil) }
        let labels = try LabelEncoding(fitting: column)
        return (labels.encode(column), labels)
    }
}

/// category_encoders' CatBoostEncoder, as the Python tool uses it: the prior is the target mean,
/// each category's statistic (sum + prior·a) / (count + a). Training rows get the ordered
/// version in row order — only earlier rows of the same category count — so a row's own target
/// never leaks into its feature; other rows (validation, test, prediction) get the statistic of
/// all training rows (missing cells count as a category of their own), a category seen once in
/// training and unknown ones the prior.
struct CatBoostEncoder: PreprocessingStep {
    var sigma: Double
    var a: Double

    init(_ options: StepOptions) {
        sigma = options["sigma"]?.doubleValue ?? 0
        a = options.double("a")
    }

    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        throw MMPError(.invalidRecipe, "catboost_encoder learns from the target; fit it through the pipeline, which knows the target column")
    }

    func fit(_ table: Table, columns: [String], roles: StepRoles) throws -> any FittedTransform {
        try fitTransform(table, columns: columns, roles: roles).0
    }

    func fitTransform(_ table: Table, columns: [String], roles: StepRoles) throws -> (any FittedTransform, Table) {
        let (y, labels) = try SupervisedSteps.target(table, roles: roles, step: "catboost_encoder")
        // One statistic per class for three or more classes, else one (of y itself, or of class 1).
        let classes = labels.map { $0.classes.count } ?? 0
        let outputs = classes > 2 ? classes : 1
        let targets: [[Double]] = outputs == 1
            ? [y.map { classes == 2 ? ($0 == 1 ? 1 : 0) : $0 }]
            : (0..<classes).map { k in y.map { Int($0) == k ? 1 : 0 } }
        let suffixes = outputs == 1 ? [""] : labels!.classes.map { "_" + $0 }
        var generator = SeededGenerator(seed: roles.seed ^ 0xCA7B_0057)
        var statistics: [CategoryStatistics] = []
        var replacements: [String: [Column]] = [:]
        for column in try table.requireAll(columns, step: "catboost_encoder") {
            let categories = Categories(fitting: column)
            let index = try categories.indices(column, step: "catboost_encoder")
            var produced: [Column] = []
            for (o, t) in targets.enumerated() {
                let prior = t.reduce(0, +) / Double(max(1, t.count))
                // Missing is a category of its own (the last slot), as category_encoders counts it.
                let missingSlot = categories.names.count
                var sums = [Double](repeating: 0, count: missingSlot + 1), counts = sums
                var encoded = [Double](repeating: prior, count: t.count)
                for r in 0..<t.count {
                    let c = index[r] == Categories.missing ? missingSlot : index[r]
                    guard c >= 0 else { continue }
                    encoded[r] = (sums[c] + prior * a) / (counts[c] + a)
                    sums[c] += t[r]; counts[c] += 1
                }
                if sigma > 0 { for r in encoded.indices { encoded[r] *= 1 + sigma * generator.normal() } }
                statistics.append(CategoryStatistics(column: column.name, output: column.name + suffixes[o], categories: categories,
                                                     sums: sums, counts: counts, prior: prior, a: a))
                produced.append(.numeric(column.name + suffixes[o], encoded))
            }
            replacements[column.name] = produced
        }
        let fitted = FittedCatBoostEncoder(columns: columns, statistics: statistics)
        return (fitted, try table.replacing(replacements, step: "catboost_encoder"))
    }
}

/// One encoded output column: the training sums and counts per category.
struct CategoryStatistics: Sendable, BinaryCodable {
    var column: String
    var output: String
    var categories: Categories
    var sums: [Double]
    var counts: [Double]
    var prior: Double
    var a: Double

    /// category_encoders' level means: (sum + prior·a) / (count + a), the prior for an unknown
    /// category and one seen only once (its statistic would be its own target). Missing cells
    /// have their own statistic (the last slot).
    func value(_ category: Int) -> Double {
        let slot = category == Categories.missing ? counts.count - 1 : category
        guard slot >= 0, counts[slot] > 1 else { return prior }
        return (sums[slot] + prior * a) / (counts[slot] + a)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(column); writer.write(output); writer.write(categories)
        writer.write(sums); writer.write(counts); writer.write(prior); writer.write(a)
    }

    init(column: String, output: String, categories: Categories, sums: [Double], counts: [Double], prior: Double, a: Double) {
        self.column = column; self.output = output; self.categories = categories
        self.sums = sums; self.counts = counts; self.prior = prior; self.a = a
    }

    init(from reader: inout ByteReader) throws {
        column = try reader.readString(); output = try reader.readString(); categories = try reader.read()
        sums = try reader.readDoubles(); counts = try reader.readDoubles(); prior = try reader.readDouble(); a = try reader.readDouble()
        try FittedCheck.sameCount(categories.names.count + 1, sums.count, "catboost_encoder")
        try FittedCheck.sameCount(categories.names.count + 1, counts.count, "catboost_encoder")
    }
}

struct FittedCatBoostEncoder: FittedTransform {
    static let typeName = "catboost_encoder.v1"
    var columns: [String]
    var statistics: [CategoryStatistics]

    init(columns: [String], statistics: [CategoryStatistics]) { self.columns = columns; self.statistics = statistics }

    func transform(_ table: Table, mode: TransformMode) throws -> Table {
        var replacements: [String: [Column]] = [:]
        for column in try table.requireAll(columns, step: "catboost_encoder") {
            var produced: [Column] = []
            for s in statistics where s.column == column.name {
                let index = try s.categories.indices(column, step: "catboost_encoder")
                produced.append(.numeric(s.output, index.map { s.value($0) }))
            }
            replacements[column.name] = produced
        }
        return try table.replacing(replacements, step: "catboost_encoder")
    }

    func encode(to writer: inout ByteWriter) { writer.write(columns); writer.write(statistics) }

    init(from reader: inout ByteReader) throws {
        columns = try reader.readStrings()
        statistics = try reader.readArray(of: CategoryStatistics.self)
    }
}

extension SeededGenerator {
    /// A standard normal draw (Box–Muller).
    mutating func normal() -> Double {
        let u = max(unit(), Double.leastNonzeroMagnitude), v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
