import MMPCore
import Testing
@testable import MMPLearn

/// k-nearest neighbours against scikit-learn (Fixtures/misc_neighbors.json), and the two search
/// structures against a plain sort.
@Suite struct NeighborsReferenceTests {
    @Test func matchesScikitLearnOnEveryFixtureCase() throws {
        let root = try MiscFixtures.load("misc_neighbors")
        let tolerance = MiscFixtures.number(root, "tolerance"), predictionTolerance = MiscFixtures.number(root, "prediction_tolerance")
        for task in [MLTask.classification, .regression] {
            let cases = try MiscFixtures.cases("misc_neighbors", task: task,
                                               model: task == .classification ? "KNeighborsClassifier" : "KNeighborsRegressor")
            #expect(cases.count >= 2)
            for c in cases {
                let model = try c.fit()
                let predicted = model.predict(c.testFeatures)
                let expected = try #require(c.expectedPredictions)
                #expect(predicted.count == expected.count)
                let worst = zip(predicted, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
                #expect(worst <= predictionTolerance, "\(c.name): predictions differ by up to \(worst)")
                let ours = try MiscFixtures.score(model, c, task: task, names: Array(c.metrics.keys))
                if task == .classification {
                    for (name, value) in c.metrics {
                        let got = try #require(ours[name], "\(c.name): no \(name)")
                        #expect(abs(got - value) <= tolerance, "\(c.name) \(name): ours \(got), scikit-learn \(value)")
                    }
                    let p = try #require(model.predictProbabilities(c.testFeatures))
                    let reference = try #require(c.expectedProbabilities)
                    for r in 0..<p.rows { for k in 0..<p.columns { #expect(abs(p[r, k] - reference[r][k]) <= predictionTolerance) } }
                } else {
                    #expect(model.predictProbabilities(c.testFeatures) == nil)
                    let r2 = try #require(ours["r2"]), rmse = try #require(ours["rmse"])
                    #expect(abs(r2 - c.metrics["r2"]!) <= tolerance, "\(c.name) r2: ours \(r2), scikit-learn \(c.metrics["r2"]!)")
                    #expect(abs(rmse - c.metrics["rmse"]!) <= tolerance * c.metrics["rmse"]!, "\(c.name) rmse: ours \(rmse)")
                }
            }
        }
    }

    /// Brute force and the k-d tree must return exactly the k smallest (distance, row) pairs of a
    /// plain sort, ties included: integer-valued rows make many distances equal.
    @Test(arguments: ["euclidean", "manhattan", "chebyshev", "minkowski"])
    func bothSearchesEqualAPlainSort(metricName: String) throws {
        var g = SeededGenerator(seed: 9)
        let rows = 300, columns = 3, k = 7
        let values = (0..<rows * columns).map { _ in Double(g.uniform(6)) }
        let queries = (0..<40 * columns).map { _ in Double(g.uniform(7)) - 0.5 * Double(g.uniform(2)) }
        let metric = try DistanceMetric.named(metricName, p: 3)
        var results: [NeighborIndex.Result] = []
        for algorithm in ["brute", "kd_tree"] {
            let index = NeighborIndex(values: values, rows: rows, columns: columns, metric: metric, requested: algorithm, k: k, leafSize: 5)
            #expect(index.algorithm.rawValue == algorithm)
            results.append(index.search(queries, k: k, threads: 2))
        }
        for q in 0..<40 {
            let reference = values.withUnsafeBufferPointer { v in
                queries.withUnsafeBufferPointer { qp in
                    (0..<rows).map { (metric.distance(fromReduced: metric.reduced(qp.baseAddress! + q * columns, v.baseAddress! + $0 * columns, features: columns)), $0) }
                        .sorted { $0 < $1 }.prefix(k)
                }
            }
            for result in results {
                #expect(Array(result.indices[q * k..<(q + 1) * k]) == reference.map(\.1), "query \(q)")
                for (j, pair) in reference.enumerated() { #expect(abs(result.distances[q * k + j] - pair.0) < 1e-12) }
            }
        }
    }

    @Test func answerDoesNotDependOnTheThreadCount() {
        var g = SeededGenerator(seed: 3)
        let values = (0..<2000 * 20).map { _ in g.unit() }
        let queries = (0..<300 * 20).map { _ in g.unit() }
        let index = NeighborIndex(values: values, rows: 2000, columns: 20, metric: .euclidean, requested: "auto", k: 5, leafSize: 30)
        #expect(index.algorithm == .brute)  // 20 features: scikit-learn's auto picks brute force too
        let one = index.search(queries, k: 5, threads: 1), two = index.search(queries, k: 5, threads: 2)
        #expect(one.indices == two.indices && one.distances == two.distances)
    }

    @Test func bundleRoundTripPredictsTheSame() throws {
        let cases = try MiscFixtures.cases("misc_neighbors", task: .classification, model: "KNeighborsClassifier")
        let model = try cases[3].fit()  // moons: the k-d tree path
        let loaded = try roundTrip(model)
        #expect(loaded is TrainedKNeighborsClassifier)
        #expect(loaded.predictProbabilities(cases[3].testFeatures) == model.predictProbabilities(cases[3].testFeatures))
        #expect(loaded.summary["algorithm"] == .string("kd_tree"))
    }

    @Test func distanceWeightsCountOnlyExactMatchesWhenOneIsAtDistanceZero() throws {
        let x = Matrix(rows: 4, columns: 1, values: [0, 1, 2, 10])
        let data = TrainingSet(features: x, target: [5, 7, 9, 100], classCount: 0, featureNames: ["x"])
        let settings = NeighborSettings(k: 3, distanceWeighted: true, metric: "minkowski", p: 2, algorithm: "brute", leafSize: 30)
        let model = try KNeighborsEstimator(settings: settings, classifier: false).fit(data, context: FitContext())
        let predicted = model.predict(Matrix(rows: 2, columns: 1, values: [1, 0.5]))
        #expect(predicted[0] == 7)  // exactly on a training row
        // 0.5 from rows 0 and 1 (weights 2 each), 1.5 from row 2 (weight 2/3).
        #expect(abs(predicted[1] - (2 * 5 + 2 * 7 + 2.0 / 3 * 9) / (4 + 2.0 / 3)) < 1e-12)
    }

    @Test func missingQueryValuesStandInWithTrainingMeans() throws {
        let x = Matrix(rows: 4, columns: 2, values: [0, 0, 0, 10, 10, 0, 10, 10])
        let data = TrainingSet(features: x, target: [0, 1, 2, 3], classCount: 0, featureNames: ["a", "b"])
        let settings = NeighborSettings(k: 1, distanceWeighted: false, metric: "euclidean", p: 2, algorithm: "brute", leafSize: 30)
        let model = try KNeighborsEstimator(settings: settings, classifier: false).fit(data, context: FitContext())
        // b is missing → 5; (9, 5) is equally near rows 2 and 3, and the earlier row wins.
        #expect(model.predict(Matrix(rows: 1, columns: 2, values: [9, .nan])) == [2])
    }

    @Test func rejectsMoreNeighboursThanRowsAndMissingTrainingValues() throws {
        let descriptor = try #require(ModelCatalog.lookup("sklearn.neighbors.KNeighborsClassifier"))
        let (params, problems) = descriptor.resolve(JSONObject([("n_neighbors", .int(10))]))
        #expect(problems.isEmpty)
        let small = TrainingSet(features: Matrix(rows: 3, columns: 1, values: [1, 2, 3]), target: [0, 1, 0], classCount: 2, featureNames: ["x"])
        #expect(throws: MMPError.self) { try descriptor.make(params).fit(small, context: FitContext()) }
        let holed = TrainingSet(features: Matrix(rows: 12, columns: 1, values: (0..<12).map { $0 == 4 ? .nan : Double($0) }),
                                target: (0..<12).map { Double($0 % 2) }, classCount: 2, featureNames: ["x"])
        do {
            _ = try descriptor.make(params).fit(holed, context: FitContext())
            Issue.record("expected an error")
        } catch let error as MMPError {
            #expect(error.message.contains("row 5") && error.message.contains("'x'"))
        }
        let (_, bad) = descriptor.resolve(JSONObject([("weights", .string("distnace"))]))
        #expect(bad.first?.message.contains("distance") == true)
        #expect(ModelCatalog.lookup("sklearn.neighbors.KNeighborsRegressor")?.task == .regression)
    }
}
