import MMPConfig
import MMPCore
import MMPLearn

/// The splits after the recipe's preprocessing (fitted on train only), as model matrices.
struct ProcessedSplits {
    var preprocessor: FittedPreprocessor
    var featureNames: [String]
    var train: TrainingSet
    var validation: EvaluationSet?
    var test: EvaluationSet?
    var calibration: EvaluationSet?

    init(recipe: Recipe, splits: PreparedSplits, roles: ColumnRoles) throws {
        let target = roles.target
        let kept = Set((roles.treatment.map { [$0] } ?? []) + roles.ordering)
        var (preprocessor, train, features) = try ProcessedSplits.fitSteps(recipe, train: splits.train, features: roles.features,
                                                                           target: target, kept: kept,
                                                                           entities: roles.entities, timestamp: roles.timestamp)
        // A model that splits on categories itself (the boosting family) takes the text columns
        // left after the recipe's steps as category codes, fitted here like any step.
        var categorical: [Int] = []
        if ModelCatalog.lookup(recipe.model.classPath, task: recipe.task)?.nativeCategorical == true {
            let text = ColumnSelection.categorical.select(in: train, among: features)
            if !text.isEmpty {
                let codes = try NativeCategories.fit(train, columns: text)
                train = try codes.transform(train, mode: .training)
                preprocessor.steps.append(codes)
                categorical = text.compactMap { features.firstIndex(of: $0) }
            }
        }
        self.preprocessor = preprocessor
        featureNames = features
        let classCount = splits.labels?.classes.count ?? 0
        let treatment = try roles.treatment.map { try TreatmentEncoding(fitting: splits.train.require($0, role: "treatment column"),
                                                                         controlName: roles.controlName) }

        func matrices(_ table: Table) throws -> (Matrix, [Double], [Double]?) {
            let x = try FeatureMatrix.build(table, columns: features)
            let t = try treatment.map { try $0.encode(table.require($0.column, role: "treatment column")) }
            guard let target, let column = table.column(target) else { return (x, [], t) }
            let y = splits.labels.map { $0.encode(column) } ?? column.doubles ?? []
            return (x, y, t)
        }
        let (xTrain, yTrain, tTrain) = try matrices(train)
        var validation: EvaluationSet?
        if splits.validation.rowCount > 0 {
            let (x, y, t) = try matrices(try preprocessor.transform(splits.validation, mode: .training))
            validation = EvaluationSet(features: x, target: y, treatment: t)
        }
        if splits.test.rowCount > 0 {
            let (x, y, t) = try matrices(try preprocessor.transform(splits.test, mode: .training))
            test = EvaluationSet(features: x, target: y, treatment: t)
        }
        if splits.calibration.rowCount > 0 {
            let (x, y, t) = try matrices(try preprocessor.transform(splits.calibration, mode: .training))
            calibration = EvaluationSet(features: x, target: y, treatment: t)
        }
        self.validation = validation
        self.train = TrainingSet(features: xTrain, target: yTrain, classCount: classCount, featureNames: features, validation: validation,
                                 treatment: tTrain)
        self.train.categoricalFeatures = categorical
    }

    /// Fits the recipe's preprocessing steps on the training rows, in order. Returns the fitted
    /// steps, the transformed training rows and the feature columns after them. Columns in `kept`
    /// (a causal recipe's treatment, a time series' timestamp and entities) ride along and are
    /// never features. Steps that work per entity in time order (forward_fill, interpolation)
    /// read `entities` and `timestamp`.
    static func fitSteps(_ recipe: Recipe, train table: Table, features inputs: [String], target: String?,
                         kept: Set<String> = [], entities: [String] = [], timestamp: String? = nil) throws -> (FittedPreprocessor, Table, [String]) {
        var train = table
        var features = inputs
        var fitted: [any FittedTransform] = []
        let stepRoles = StepRoles(target: target, task: recipe.task, entities: entities, timestamp: timestamp,
                                  seed: UInt64(bitPattern: Int64(recipe.evaluation.randomState)))
        for step in recipe.preprocessor {
            let descriptor = try PreprocessorCatalog.require(step.type)
            let (options, problems) = descriptor.resolve(step.options)
            if !problems.isEmpty {
                throw MMPError.invalidRecipe(file: recipe.file, problems: problems.map {
                    RecipeProblem(location: recipe.file, field: "\(step.path).\($0.name)", message: $0.message)
                })
            }
            let columns: [String]
            if let listed = step.columns {
                for name in listed where !features.contains(name) {
                    throw MMPError.invalidRecipe(file: recipe.file, problems: [RecipeProblem(location: recipe.file, field: "\(step.path).columns",
                        message: "'\(name)' is not a feature column at this step\(Suggestion.hint(for: name, in: features)) (features here: \(features.joined(separator: ", ")))")])
                }
                columns = listed
            } else {
                columns = descriptor.defaultColumns.select(in: train, among: features)
            }
            let (step, transformed) = try descriptor.make(options).fitTransform(train, columns: columns, roles: stepRoles)
            train = transformed
            fitted.append(step)
            features = train.columnNames.filter { $0 != target && !kept.contains($0) }
        }
        return (FittedPreprocessor(steps: fitted), train, features)
    }
}
