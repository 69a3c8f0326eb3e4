import MMPCore

/// Single CART decision trees, split as scikit-learn's best splitter splits (exact thresholds
/// half-way between sorted values).
public enum TreeModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = [
        ModelDescriptor(
            name: "DecisionTreeClassifier",
            aliases: ["sklearn.tree.DecisionTreeClassifier"],
            task: .classification,
            summary: "CART decision tree (gini or entropy)",
            parameters: [
                HyperparameterSpec("criterion", .choice(["gini", "entropy", "log_loss"]), default: "gini", "impurity to minimise"),
            ] + sharedParameters(maxFeatures: .null),
            make: { p in SingleTreeEstimator(criterion: try classificationCriterion(p.string("criterion")), parameters: p) }),
        ModelDescriptor(
            name: "DecisionTreeRegressor",
            aliases: ["sklearn.tree.DecisionTreeRegressor"],
            task: .regression,
            summary: "CART regression tree (squared error)",
            parameters: [
                HyperparameterSpec("criterion", .choice(["squared_error"]), default: "squared_error", "impurity to minimise"),
            ] + sharedParameters(maxFeatures: .null),
            make: { p in SingleTreeEstimator(criterion: .squaredError, parameters: p) }),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [TreeClassifier.self, TreeRegressor.self]

    /// The CART parameters trees and forests share (scikit-learn's names and defaults).
    static func sharedParameters(maxFeatures: JSON) -> [HyperparameterSpec] {
        [
            HyperparameterSpec("max_depth", .optionalInt(-1...100_000), default: .null, "deepest a tree may grow (null: no limit)"),
            HyperparameterSpec("min_samples_split", .numberOrChoice(0...1e9, []), default: 2,
                               "fewest rows a node needs to be split (a count, or a share of the rows)"),
            HyperparameterSpec("min_samples_leaf", .numberOrChoice(0...1e9, []), default: 1,
                               "fewest rows in a leaf (a count, or a share of the rows)"),
            HyperparameterSpec("max_features", .numberOrChoice(0...1e9, ["sqrt", "log2", "all", "null"]), default: maxFeatures,
                               "features drawn at each split: sqrt, log2, a count, a share, or null for all"),
            HyperparameterSpec("min_impurity_decrease", .double(0...1e12), default: 0.0, "smallest weighted impurity decrease worth a split"),
            HyperparameterSpec("max_leaf_nodes", .optionalInt(0...100_000_000), default: .null,
                               "grow best-first (largest impurity decrease first) up to this many leaves (null: depth-first, no cap)"),
            HyperparameterSpec("min_weight_fraction_leaf", .double(0...0.5), default: 0.0,
                               "fewest rows in a leaf as a share of the training rows (rows weigh 1 each)"),
        ]
    }

    static func classificationCriterion(_ name: String) throws -> SplitCriterion {
        name == "gini" ? .gini : .entropy  // log_loss is entropy, as in scikit-learn
    }

    static func settings(_ p: Hyperparameters, criterion: SplitCriterion, rows: Int, features: Int) throws -> CARTSettings {
        for name in ["min_samples_split", "min_samples_leaf"] {
            if case .double(let share)? = p[name], !(share > 0 && share <= 1) {
                throw MMPError(.invalidRecipe, "\(name) as a share must be in (0, 1]; found \(JSON.format(share))")
            }
        }
        if case .double(let share)? = p["max_features"], !(share > 0 && share <= 1) {
            throw MMPError(.invalidRecipe, "max_features as a share must be in (0, 1]; found \(JSON.format(share))")
        }
        // Without sample weights scikit-learn's min_weight_fraction_leaf is a share of the rows.
        let minLeaf = max(CARTParameters.count(p["min_samples_leaf"], rows: rows, minimum: 1),
                          Int((p.double("min_weight_fraction_leaf") * Double(rows)).rounded(.up)))
        if let cap = p.optionalInt("max_leaf_nodes"), cap > 0, cap < 2 {
            throw MMPError(.invalidRecipe, "max_leaf_nodes must be at least 2 (or null for no cap); found \(cap)")
        }
        let leafCap = p.optionalInt("max_leaf_nodes").flatMap { $0 > 0 ? $0 : nil } ?? Int.max
        return CARTSettings(criterion: criterion,
                            maxDepth: TreeInputs.depthLimit(p.optionalInt("max_depth")),
                            minSamplesSplit: max(CARTParameters.count(p["min_samples_split"], rows: rows, minimum: 2), 2),
                            minSamplesLeaf: minLeaf,
                            maxFeatures: CARTParameters.maxFeatures(p["max_features"], features: features),
                            minImpurityDecrease: p.double("min_impurity_decrease"),
                            maxLeafNodes: leafCap)
    }
}

struct SingleTreeEstimator: Estimator {
    var criterion: SplitCriterion
    var parameters: Hyperparameters

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        let classification = criterion.isClassification
        let name = classification ? "DecisionTreeClassifier" : "DecisionTreeRegressor"
        try TreeInputs.check(data, model: name, classification: classification)
        let x = data.features
        let settings = try TreeModels.settings(parameters, criterion: criterion, rows: x.rows, features: x.columns)
        let classes = classification ? data.classCount : 0
        var grower = CARTGrower(
            finder: ExactSplitFinder(features: x, target: data.target, criterion: criterion, classes: classes,
                                     minSamplesLeaf: settings.minSamplesLeaf),
            settings: settings, classes: classes, features: x.columns, target: data.target, weights: nil)
        var generator = SeededGenerator(seed: context.seed)
        let (tree, importances) = grower.grow(rows: (0..<x.rows).map { Int32($0) }, generator: &generator)
        let normalized = TreeInputs.normalized(importances)
        if classification { return TreeClassifier(tree: tree, classCount: classes, featureCount: x.columns, importances: normalized) }
        return TreeRegressor(tree: tree, featureCount: x.columns, importances: normalized)
    }
}

/// A fitted classification tree: each leaf holds its class shares.
public struct TreeClassifier: TrainedModel {
    public static let typeName = "DecisionTreeClassifier"
    let tree: Tree
    public let classCount: Int
    let featureCount: Int
    let importances: [Double]?

    init(tree: Tree, classCount: Int, featureCount: Int, importances: [Double]?) {
        self.tree = tree; self.classCount = classCount; self.featureCount = featureCount; self.importances = importances
    }

    public func predict(_ features: Matrix) -> [Double] {
        TreeInputs.argmax(TreePrediction.average([tree], features, featureCount: featureCount), rows: features.rows, classes: classCount)
    }

    public func predictProbabilities(_ features: Matrix) -> Matrix? {
        Matrix(rows: features.rows, columns: classCount, values: TreePrediction.average([tree], features, featureCount: featureCount))
    }

    public var featureImportances: [Double]? { importances }
    public var summary: JSONObject { TreePrediction.summary([tree]) }

    public func encode(to writer: inout ByteWriter) {
        writer.write(classCount)
        writer.write(featureCount)
        tree.encode(to: &writer)
        writer.write(importances ?? [])
    }

    public init(from reader: inout ByteReader) throws {
        classCount = try reader.readInt()
        featureCount = try reader.readInt()
        tree = try Tree(from: &reader)
        let imp = try reader.readDoubles()
        importances = imp.isEmpty ? nil : imp
        guard imp.isEmpty || imp.count == featureCount else {
            throw MMPError.corrupt("a stored tree model has \(imp.count) importances for \(featureCount) features")
        }
        guard tree.outputs == classCount, tree.splitsOnly(featuresBelow: featureCount) else {
            throw MMPError.corrupt("a stored tree does not fit its \(classCount) classes and \(featureCount) features")
        }
    }
}

/// A fitted regression tree: each leaf holds the mean of its rows.
public struct TreeRegressor: TrainedModel {
    public static let typeName = "DecisionTreeRegressor"
    let tree: Tree
    let featureCount: Int
    let importances: [Double]?

    init(tree: Tree, featureCount: Int, importances: [Double]?) {
        self.tree = tree; self.featureCount = featureCount; self.importances = importances
    }

    public func predict(_ features: Matrix) -> [Double] { TreePrediction.average([tree], features, featureCount: featureCount) }
    public var featureImportances: [Double]? { importances }
    public var summary: JSONObject { TreePrediction.summary([tree]) }

    public func encode(to writer: inout ByteWriter) {
        writer.write(featureCount)
        tree.encode(to: &writer)
        writer.write(importances ?? [])
    }

    public init(from reader: inout ByteReader) throws {
        featureCount = try reader.readInt()
        tree = try Tree(from: &reader)
        let imp = try reader.readDoubles()
        importances = imp.isEmpty ? nil : imp
        guard imp.isEmpty || imp.count == featureCount else {
            throw MMPError.corrupt("a stored tree model has \(imp.count) importances for \(featureCount) features")
        }
        guard tree.outputs == 1, tree.splitsOnly(featuresBelow: featureCount) else {
            throw MMPError.corrupt("a stored regression tree does not fit its \(featureCount) features")
        }
    }
}

/// Predictions of trees whose leaves hold values to average (classification shares or means).
enum TreePrediction {
    /// The mean over `trees` of each row's leaf values: rows × outputs.
    static func average(_ trees: [Tree], _ x: Matrix, featureCount: Int, threads: Int = CPUInfo.availableCores) -> [Double] {
        guard let k = trees.first?.outputs else { return [Double](repeating: 0, count: x.rows) }
        var out = [Double](repeating: 0, count: x.rows * k)
        let scale = 1 / Double(trees.count)
        out.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            RowParallel.forEachChunk(x, expectedColumns: featureCount, threads: threads) { range, first in
                for tree in trees {
                    tree.withView { view in
                        for r in range {
                            let leaf = view.leafOffset(first + (r - range.lowerBound) * x.columns)
                            for j in 0..<k { out[r * k + j] += view.values[leaf + j] }
                        }
                    }
                }
                for i in (range.lowerBound * k)..<(range.upperBound * k) { out[i] *= scale }
            }
        }
        return out
    }

    static func summary(_ trees: [Tree]) -> JSONObject {
        var o = JSONObject()
        o["trees"] = .int(trees.count)
        o["leaves"] = .int(trees.reduce(0) { $0 + $1.leafCount })
        o["max_depth"] = .int(trees.map(depth).max() ?? 0)
        return o
    }

    static func depth(_ tree: Tree) -> Int {
        var depths = [Int](repeating: 0, count: tree.nodeCount)
        var deepest = 0
        for n in 0..<tree.nodeCount where tree.feature[n] >= 0 {
            let c = Int(tree.children[n])
            depths[c] = depths[n] + 1
            depths[c + 1] = depths[n] + 1
            deepest = max(deepest, depths[n] + 1)
        }
        return deepest
    }
}
