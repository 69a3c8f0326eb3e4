import MMPCore
import Testing
@testable import MMPLearn

/// Decision trees: what they learn, their limits, missing values, bundles, bad input.
@Suite struct TreeModelTests {
    @Test func classifierLearnsXORThatNoLineSeparates() throws {
        let (train, test) = TreeTestData.holdOut(TreeTestData.xor(rows: 1200), every: 4)
        let model = try TreeTestData.fit("DecisionTreeClassifier", ["max_depth": 6], on: train)
        #expect(TreeTestData.accuracy(model, test) > 0.95)
        let importances = try #require(model.featureImportances)
        #expect(abs(importances.reduce(0, +) - 1) < 1e-9)
        #expect(importances[0] + importances[1] > 0.9, "the two XOR features carry the signal: \(importances)")
    }

    @Test func depthAndLeafSizeLimitsHold() throws {
        let data = TreeTestData.xor(rows: 400)
        let shallow = try TreeTestData.fit("DecisionTreeClassifier", ["max_depth": 2], on: data)
        #expect(shallow.summary["max_depth"]?.intValue == 2)
        #expect((shallow.summary["leaves"]?.intValue ?? 99) <= 4)
        let coarse = try TreeTestData.fit("DecisionTreeClassifier", ["min_samples_leaf": 100], on: data)
        #expect((coarse.summary["leaves"]?.intValue ?? 99) <= 4)
        let share = try TreeTestData.fit("DecisionTreeClassifier", ["min_samples_leaf": 0.25], on: data)
        #expect((share.summary["leaves"]?.intValue ?? 99) <= 4)
        let full = try TreeTestData.fit("DecisionTreeClassifier", on: data)
        #expect(TreeTestData.accuracy(full, data) == 1, "an unlimited tree fits its training rows")
    }

    @Test func probabilitiesAreLeafClassShares() throws {
        let data = TreeTestData.threeClasses(rows: 600)
        let model = try TreeTestData.fit("DecisionTreeClassifier", ["max_depth": 3, "criterion": "entropy"], on: data)
        let p = try #require(model.predictProbabilities(data.features))
        #expect(p.columns == 3)
        for r in 0..<p.rows {
            let row = Array(p.row(r))
            #expect(abs(row.reduce(0, +) - 1) < 1e-9)
            #expect(Double(row.indices.max { row[$0] < row[$1] }!) == model.predict(data.features)[r])
        }
    }

    @Test func regressorFitsAStepExactlyAndAWaveClosely() throws {
        let x = Matrix(rows: 8, columns: 1, values: [1, 2, 3, 4, 5, 6, 7, 8])
        let step = TrainingSet(features: x, target: [0, 0, 0, 0, 10, 10, 10, 10], classCount: 0, featureNames: ["x"])
        let model = try TreeTestData.fit("DecisionTreeRegressor", ["max_depth": 1], on: step)
        #expect(model.predict(Matrix(rows: 3, columns: 1, values: [4.4, 4.6, 100])) == [0, 10, 10])
        let (train, test) = TreeTestData.holdOut(TreeTestData.wave(rows: 2000), every: 5)
        let wave = try TreeTestData.fit("DecisionTreeRegressor", ["max_depth": 8, "min_samples_leaf": 5], on: train)
        #expect(TreeTestData.r2(wave, test) > 0.9)
    }

    /// The rows whose feature is missing are the positives: the tree must learn where NaN goes.
    @Test func missingValuesGoToTheSideTheyBelongTo() throws {
        var values: [Double] = [], target: [Double] = []
        for i in 0..<300 {
            let missing = i % 3 == 0
            values.append(missing ? .nan : Double(i % 50))
            target.append(missing ? 1 : 0)
        }
        let data = TrainingSet(features: Matrix(rows: 300, columns: 1, values: values), target: target, classCount: 2, featureNames: ["x"])
        for name in ["DecisionTreeClassifier", "RandomForestClassifier", "GradientBoostingClassifier"] {
            let params: [String: JSON] = name == "RandomForestClassifier" ? ["n_estimators": 10] : [:]
            let model = try TreeTestData.fit(name, params, on: data)
            let p = model.predictProbabilities(Matrix(rows: 2, columns: 1, values: [.nan, 7]))!
            #expect(p[0, 1] > 0.9, "\(name): P(positive | missing) = \(p[0, 1])")
            #expect(p[1, 1] < 0.1, "\(name): P(positive | 7) = \(p[1, 1])")
        }
    }

    @Test(arguments: ["DecisionTreeClassifier", "DecisionTreeRegressor", "RandomForestClassifier", "RandomForestRegressor",
                      "GradientBoostingClassifier", "GradientBoostingRegressor"])
    func bundlesRoundTripWithIdenticalPredictions(_ name: String) throws {
        let classification = name.hasSuffix("Classifier")
        let data = classification ? TreeTestData.threeClasses(rows: 300) : TreeTestData.wave(rows: 300)
        let params: [String: JSON] = name.hasPrefix("Decision") ? [:] : ["n_estimators": 12]
        let model = try TreeTestData.fit(name, params, on: data)
        let loaded = try TreeTestData.roundTrip(model)
        #expect(type(of: loaded).typeName == name)
        #expect(loaded.predict(data.features) == model.predict(data.features))
        #expect(loaded.predictProbabilities(data.features) == model.predictProbabilities(data.features))
        #expect(loaded.featureImportances == model.featureImportances)

        // A truncated model is an error, never a crash or a half-read model.
        var writer = ByteWriter()
        ModelCodec.encode(model, to: &writer)
        var reader = ByteReader(Array(writer.bytes.dropLast(9)))
        #expect(throws: (any Error).self) { try ModelCodec.decode(from: &reader) }
    }

    @Test func aTreeWhoseChildPointsBackwardsIsRejected() throws {
        var tree = Tree(outputs: 1)
        let root = tree.addPlaceholder()
        let left = tree.split(root, feature: 0, threshold: 0.5, missingLeft: false)
        tree.makeLeaf(left, [1])
        tree.makeLeaf(left + 1, [2])
        tree.children[left] = 0  // a leaf pointing at value 0 is fine...
        tree.feature[left] = 0   // ...but as a split it would loop back to the root
        var writer = ByteWriter()
        tree.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(throws: MMPError.self) { try Tree(from: &reader) }
    }

    /// A bundle whose trees read a feature the model says it does not have would make prediction
    /// read past each row: loading refuses it.
    @Test func treesReadingMissingFeaturesAreRejectedOnLoad() throws {
        let data = TreeTestData.wave(rows: 200)
        let fitted = try #require(try TreeTestData.fit("DecisionTreeRegressor", ["max_depth": 3], on: data) as? TreeRegressor)
        #expect(fitted.tree.feature.contains { $0 > 0 }, "the tree splits on a feature after the first")
        let lying = TreeRegressor(tree: fitted.tree, featureCount: 1, importances: nil)
        var writer = ByteWriter()
        ModelCodec.encode(lying, to: &writer)
        var reader = ByteReader(writer.bytes)
        let error = try #require(throws: MMPError.self) { try ModelCodec.decode(from: &reader) }
        #expect(error.kind == .corrupt)
    }

    @Test func badTargetsAreClearErrors() throws {
        var data = TreeTestData.xor(rows: 50)
        data.target[7] = .nan
        let error = try #require(throws: MMPError.self) { try TreeTestData.fit("DecisionTreeClassifier", on: data) }
        #expect(error.message.contains("training row 8"))

        var regression = TreeTestData.wave(rows: 50)
        regression.target[3] = .infinity
        #expect(throws: MMPError.self) { try TreeTestData.fit("RandomForestRegressor", on: regression) }

        let empty = TrainingSet(features: Matrix(rows: 0, columns: 2), target: [], classCount: 2, featureNames: ["a", "b"])
        let emptyError = try #require(throws: MMPError.self) { try TreeTestData.fit("GradientBoostingClassifier", on: empty) }
        #expect(emptyError.message.contains("0 training rows"))
    }

    @Test func maxFeaturesTakesWordsCountsAndShares() throws {
        let d = try ModelCatalog.require("RandomForestClassifier")
        for value: JSON in ["sqrt", "log2", 3, 0.5, nil, "all"] {
            let (_, problems) = d.resolve(TreeTestData.object(["max_features": value]))
            #expect(problems.isEmpty, "max_features \(value)")
        }
        let (_, bad) = d.resolve(TreeTestData.object(["max_features": "half"]))
        #expect(bad.first?.message.contains("sqrt") == true)
        #expect(CARTParameters.maxFeatures("sqrt", features: 20) == 4)
        #expect(CARTParameters.maxFeatures("log2", features: 20) == 4)
        #expect(CARTParameters.maxFeatures(.double(1.0), features: 20) == 20)
        #expect(CARTParameters.maxFeatures(.int(1), features: 20) == 1)
        #expect(CARTParameters.maxFeatures(.double(0.01), features: 20) == 1)
        #expect(CARTParameters.maxFeatures(.null, features: 20) == 20)
        let (params, _) = d.resolve(TreeTestData.object(["min_samples_leaf": 1.5]))
        #expect(throws: MMPError.self) {
            _ = try TreeModels.settings(params, criterion: .gini, rows: 10, features: 2)
        }
    }

    @Test func sklearnAliasesFindTheTrees() {
        #expect(ModelCatalog.lookup("sklearn.tree.DecisionTreeClassifier")?.name == "DecisionTreeClassifier")
        #expect(ModelCatalog.lookup("sklearn.tree.DecisionTreeRegressor")?.name == "DecisionTreeRegressor")
        #expect(ModelCatalog.lookup("sklearn.ensemble.RandomForestClassifier")?.name == "RandomForestClassifier")
        #expect(ModelCatalog.lookup("sklearn.ensemble.RandomForestRegressor")?.name == "RandomForestRegressor")
    }
}
