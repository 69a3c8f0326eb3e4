import MMPCore
import Synchronization

/// Random forests as scikit-learn builds them (bootstrap rows, `max_features` drawn per split,
/// fully grown trees, probabilities averaged), with splits found on 255 quantile bins per
/// feature rather than exact sorted values, and trees grown in parallel on the cores available.
public enum ForestModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = [
        ModelDescriptor(
            name: "RandomForestClassifier",
            aliases: ["sklearn.ensemble.RandomForestClassifier"],
            task: .classification,
            summary: "Random forest of CART trees (bootstrap, sqrt features per split)",
            parameters: [
                HyperparameterSpec("criterion", .choice(["gini", "entropy", "log_loss"]), default: "gini", "impurity to minimise"),
            ] + forestParameters(maxFeatures: "sqrt"),
            make: { p in ForestEstimator(criterion: try TreeModels.classificationCriterion(p.string("criterion")), parameters: p) }),
        ModelDescriptor(
            name: "RandomForestRegressor",
            aliases: ["sklearn.ensemble.RandomForestRegressor"],
            task: .regression,
            summary: "Random forest of CART regression trees (bootstrap, all features per split)",
            parameters: [
                HyperparameterSpec("criterion", .choice(["squared_error"]), default: "squared_error", "impurity to minimise"),
            ] + forestParameters(maxFeatures: 1.0),
            make: { p in ForestEstimator(criterion: .squaredError, parameters: p) }),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [ForestClassifier.self, ForestRegressor.self]

    static func forestParameters(maxFeatures: JSON) -> [HyperparameterSpec] {
        [
            HyperparameterSpec("n_estimators", .int(1...100_000), default: 100, "trees in the forest"),
            HyperparameterSpec("bootstrap", .bool, default: true, "train each tree on a bootstrap sample of the rows"),
            HyperparameterSpec("max_samples", .numberOrChoice(0...1e12, ["null"]), default: .null,
                               "rows per bootstrap sample: a count, a share, or null for all"),
            HyperparameterSpec("max_bins", .int(2...255), default: 255, "quantile bins per feature for split finding"),
        ] + TreeModels.sharedParameters(maxFeatures: maxFeatures)
    }
}

struct ForestEstimator: Estimator {
    var criterion: SplitCriterion
    var parameters: Hyperparameters

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        let classification = criterion.isClassification
        let name = classification ? "RandomForestClassifier" : "RandomForestRegressor"
        try TreeInputs.check(data, model: name, classification: classification)
        let x = data.features, n = x.rows
        let settings = try TreeModels.settings(parameters, criterion: criterion, rows: n, features: x.columns)
        let classes = classification ? data.classCount : 0
        let treeCount = parameters.int("n_estimators")
        let bootstrap = parameters.bool("bootstrap")
        let sampleSize: Int
        switch parameters["max_samples"] {
        case .int(let k)?: sampleSize = max(1, k)
        case .double(let f)?:
            guard f > 0 && f <= 1 else { throw MMPError(.invalidRecipe, "max_samples as a share must be in (0, 1]; found \(JSON.format(f))") }
            sampleSize = max(1, Int((f * Double(n)).rounded()))
        default: sampleSize = n
        }

        let pool = WorkerPool(threads: context.threads)
        let mappers = BinnedMatrix.fitMappers(x, maxBins: parameters.int("max_bins"), seed: context.seed, pool: pool)
        let binned = BinnedMatrix(x, mappers: mappers, layout: .columnMajor, pool: pool)
        let root = SeededGenerator(seed: context.seed)
        let target = data.target

        // Each tree is one task; a tree's randomness comes from its own derived generator, so
        // the forest is the same whatever the thread count.
        var results = [(Tree, [Double])?](repeating: nil, count: treeCount)
        let cancelled = Atomic<Bool>(false)
        let finished = Atomic<Int>(0)
        results.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            pool.run(tasks: treeCount) { t, worker in
                // Checked before each tree: a cancelled fit stops within one tree per thread.
                if cancelled.load(ordering: .relaxed) || context.isCancelled() {
                    cancelled.store(true, ordering: .relaxed)
                    return
                }
                var generator = root.derived(t)
                var weights = [Double](repeating: bootstrap ? 0 : 1, count: n)
                if bootstrap { for _ in 0..<sampleSize { weights[generator.uniform(n)] += 1 } }
                var rows: [Int32] = []
                rows.reserveCapacity(n)
                for r in 0..<n where weights[r] > 0 { rows.append(Int32(r)) }
                var grower = CARTGrower(
                    finder: BinnedSplitFinder(data: binned, target: target, weights: weights, criterion: criterion, classes: classes,
                                              minSamplesLeaf: settings.minSamplesLeaf),
                    settings: settings, classes: classes, features: x.columns, target: target, weights: weights)
                out[t] = grower.grow(rows: rows, generator: &generator)
                // Progress is reported from the calling thread only, so it arrives in order.
                let done = finished.add(1, ordering: .relaxed).newValue
                if worker == 0 { context.progress(Double(done) / Double(treeCount)) }
            }
        }
        if cancelled.load(ordering: .relaxed) { throw MMPError(.cancelled, "training was cancelled") }
        let trees = results.map { $0!.0 }
        // As scikit-learn: each tree's importances normalised, then averaged, then normalised.
        var importances = [Double](repeating: 0, count: x.columns)
        for result in results {
            guard let own = TreeInputs.normalized(result!.1) else { continue }
            for f in 0..<x.columns { importances[f] += own[f] }
        }
        let normalized = TreeInputs.normalized(importances)
        if classification { return ForestClassifier(trees: trees, classCount: classes, featureCount: x.columns, importances: normalized) }
        return ForestRegressor(trees: trees, featureCount: x.columns, importances: normalized)
    }
}

/// A fitted forest classifier: the class shares of each tree's leaf, averaged.
public struct ForestClassifier: TrainedModel {
    public static let typeName = "RandomForestClassifier"
    let trees: [Tree]
    public let classCount: Int
    let featureCount: Int
    let importances: [Double]?

    init(trees: [Tree], classCount: Int, featureCount: Int, importances: [Double]?) {
        self.trees = trees; self.classCount = classCount; self.featureCount = featureCount; self.importances = importances
    }

    public func predict(_ features: Matrix) -> [Double] {
        TreeInputs.argmax(TreePrediction.average(trees, features, featureCount: featureCount), rows: features.rows, classes: classCount)
    }

    public func predictProbabilities(_ features: Matrix) -> Matrix? {
        Matrix(rows: features.rows, columns: classCount, values: TreePrediction.average(trees, features, featureCount: featureCount))
    }

    public var featureImportances: [Double]? { importances }
    public var summary: JSONObject { TreePrediction.summary(trees) }

    public func encode(to writer: inout ByteWriter) {
        writer.write(classCount)
        writer.write(featureCount)
        writer.write(trees)
        writer.write(importances ?? [])
    }

    public init(from reader: inout ByteReader) throws {
        classCount = try reader.readInt()
        featureCount = try reader.readInt()
        trees = try reader.readArray(of: Tree.self)
        let imp = try reader.readDoubles()
        importances = imp.isEmpty ? nil : imp
        guard imp.isEmpty || imp.count == featureCount else {
            throw MMPError.corrupt("a stored tree model has \(imp.count) importances for \(featureCount) features")
        }
        guard !trees.isEmpty, trees.allSatisfy({ $0.outputs == classCount && $0.splitsOnly(featuresBelow: featureCount) }) else {
            throw MMPError.corrupt("a stored forest's trees do not match its \(classCount) classes")
        }
    }
}

/// A fitted forest regressor: the trees' leaf means, averaged.
public struct ForestRegressor: TrainedModel {
    public static let typeName = "RandomForestRegressor"
    let trees: [Tree]
    let featureCount: Int
    let importances: [Double]?

    init(trees: [Tree], featureCount: Int, importances: [Double]?) {
        self.trees = trees; self.featureCount = featureCount; self.importances = importances
    }

    public func predict(_ features: Matrix) -> [Double] { TreePrediction.average(trees, features, featureCount: featureCount) }
    public var featureImportances: [Double]? { importances }
    public var summary: JSONObject { TreePrediction.summary(trees) }

    public func encode(to writer: inout ByteWriter) {
        writer.write(featureCount)
        writer.write(trees)
        writer.write(importances ?? [])
    }

    public init(from reader: inout ByteReader) throws {
        featureCount = try reader.readInt()
        trees = try reader.readArray(of: Tree.self)
        let imp = try reader.readDoubles()
        importances = imp.isEmpty ? nil : imp
        guard imp.isEmpty || imp.count == featureCount else {
            throw MMPError.corrupt("a stored tree model has \(imp.count) importances for \(featureCount) features")
        }
        guard !trees.isEmpty, trees.allSatisfy({ $0.outputs == 1 && $0.splitsOnly(featuresBelow: featureCount) }) else {
            throw MMPError.corrupt("a stored forest regressor's trees do not have one output each")
        }
    }
}
