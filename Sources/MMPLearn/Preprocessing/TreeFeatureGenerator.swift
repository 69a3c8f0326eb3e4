import MMPCore

/// The Python tool's tree_based_feature_generator: a random forest (10 trees of depth 3 by
/// default; a classifier for classification, a regressor for regression) fitted on the columns
/// and the target, whose leaves become 0/1 columns `treefeature_x<tree>_<leaf>` — one for each
/// leaf that training rows reach — in place of the columns.
struct TreeFeatureGenerator: PreprocessingStep {
    var trees: Int
    var depth: Int
    var seed: Int

    init(_ options: StepOptions) {
        trees = options.int("n_estimators"); depth = options.int("max_depth"); seed = options.int("random_state")
    }

    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        throw MMPError(.invalidRecipe, "tree_based_feature_generator learns from the target; fit it through the pipeline, which knows the target column")
    }

    func fit(_ table: Table, columns: [String], roles: StepRoles) throws -> any FittedTransform {
        guard !columns.isEmpty else { throw MMPError(.invalidRecipe, "tree_based_feature_generator has no numeric columns to grow trees on") }
        let (y, labels) = try SupervisedSteps.target(table, roles: roles, step: "tree_based_feature_generator")
        let x = try FeatureMatrix.build(table, columns: columns)
        let classification = labels != nil
        let descriptor = try ModelCatalog.require(classification ? "RandomForestClassifier" : "RandomForestRegressor")
        let (hp, problems) = descriptor.resolve(.init([("n_estimators", .int(trees)), ("max_depth", .int(depth))]))
        if let p = problems.first { throw MMPError(.invalidRecipe, "tree_based_feature_generator: \(p.name): \(p.message)") }
        let rows = (0..<y.count).filter { classification ? y[$0] >= 0 : y[$0].isFinite }
        let model = try descriptor.make(hp).fit(
            TrainingSet(features: x.selecting(rows: rows), target: rows.map { y[$0] }, classCount: labels?.classes.count ?? 0, featureNames: columns),
            context: FitContext(seed: UInt64(seed)))
        let forest = (model as? ForestClassifier)?.trees ?? (model as? ForestRegressor)?.trees ?? []
        // The leaves training rows reach, per tree, in leaf order (scikit-learn's OneHotEncoder categories).
        let reached = forest.map { tree in Set(TreeFeatures.leaves(tree, x)).sorted() }
        return FittedTreeFeatures(columns: columns, trees: forest, leaves: reached)
    }
}

enum TreeFeatures {
    /// The leaf index each row of `x` reaches in `tree`.
    static func leaves(_ tree: Tree, _ x: Matrix) -> [Int] {
        x.values.withUnsafeBufferPointer { values in
            tree.withView { view in
                (0..<x.rows).map { view.leafOffset(values.baseAddress! + $0 * x.columns) / max(1, tree.outputs) }
            }
        }
    }
}

struct FittedTreeFeatures: FittedTransform {
    static let typeName = "tree_based_feature_generator.v1"
    var columns: [String]
    var trees: [Tree]
    var leaves: [[Int]]

    init(columns: [String], trees: [Tree], leaves: [[Int]]) { self.columns = columns; self.trees = trees; self.leaves = leaves }

    var outputNames: [String] { leaves.enumerated().flatMap { t, ids in ids.map { "treefeature_x\(t)_\($0)" } } }

    func transform(_ table: Table, mode: TransformMode) throws -> Table {
        _ = try table.requireAll(columns, step: "tree_based_feature_generator")
        let x = try FeatureMatrix.build(table, columns: columns)
        var produced: [Column] = []
        for (t, tree) in trees.enumerated() {
            let reached = TreeFeatures.leaves(tree, x)
            for id in leaves[t] { produced.append(.numeric("treefeature_x\(t)_\(id)", reached.map { $0 == id ? 1 : 0 })) }
        }
        // The generated columns take the place of the first input column; the others go.
        var replacements: [String: [Column]] = [columns[0]: produced]
        for name in columns.dropFirst() { replacements[name] = [] }
        return try table.replacing(replacements, step: "tree_based_feature_generator")
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(columns); writer.write(trees)
        writer.write(leaves.count)
        for l in leaves { writer.write(l) }
    }

    init(from reader: inout ByteReader) throws {
        columns = try reader.readStrings()
        trees = try reader.readArray(of: Tree.self)
        let count = try reader.readInt()
        guard count == trees.count else { throw MMPError.corrupt("tree_based_feature_generator: \(count) leaf lists for \(trees.count) trees") }
        leaves = try (0..<count).map { _ in try reader.readInts() }
        guard !columns.isEmpty, trees.allSatisfy({ $0.splitsOnly(featuresBelow: columns.count) }) else {
            throw MMPError.corrupt("tree_based_feature_generator: a stored tree reads a column it was not fitted on")
        }
    }
}
