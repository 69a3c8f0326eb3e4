import MMPCore
import Testing
@testable import MMPLearn

/// KMeans against scikit-learn (Fixtures/misc_kmeans.json) and its own invariants.
@Suite struct KMeansReferenceTests {
    @Test func reachesScikitLearnsInertiaAndSilhouetteOnEveryFixtureCase() throws {
        let root = try MiscFixtures.load("misc_kmeans")
        let inertiaTolerance = MiscFixtures.number(root, "inertia_relative_tolerance")
        let silhouetteTolerance = MiscFixtures.number(root, "silhouette_tolerance")
        let cases = try MiscFixtures.cases("misc_kmeans", task: .clustering)
        #expect(cases.count == 6)
        for c in cases {
            let model = try #require(try c.fit(seed: 42) as? TrainedKMeans)
            let expected = c.metrics["inertia"]!
            #expect(abs(model.inertia - expected) <= inertiaTolerance * expected,
                    "\(c.name): inertia \(model.inertia), scikit-learn \(expected)")
            let silhouette = try #require(ClusteringMetrics.silhouette(c.testFeatures, labels: model.predict(c.testFeatures)))
            #expect(abs(silhouette - c.metrics["silhouette_score"]!) <= silhouetteTolerance,
                    "\(c.name): silhouette \(silhouette), scikit-learn \(c.metrics["silhouette_score"]!)")
            let trainSilhouette = try #require(ClusteringMetrics.silhouette(c.train.features, labels: model.predict(c.train.features)))
            #expect(abs(trainSilhouette - c.metrics["train_silhouette_score"]!) <= silhouetteTolerance, "\(c.name): training silhouette")
        }
    }

    /// The reported inertia is the training rows' squared distance to the centres they are
    /// predicted to, and every centre is the mean of its rows (a Lloyd fixed point).
    @Test func inertiaAndCentresAreConsistentWithPredictions() throws {
        let c = try MiscFixtures.cases("misc_kmeans", task: .clustering)[3]  // wine, standardised
        let model = try #require(try c.fit() as? TrainedKMeans)
        let x = c.train.features, labels = model.predict(x).map(Int.init)
        var inertia = 0.0
        var sums = [Double](repeating: 0, count: model.centers.count), counts = [Double](repeating: 0, count: model.clusters)
        for r in 0..<x.rows {
            counts[labels[r]] += 1
            for f in 0..<x.columns {
                let d = x[r, f] - model.centers[labels[r] * x.columns + f]
                inertia += d * d
                sums[labels[r] * x.columns + f] += x[r, f]
            }
        }
        #expect(abs(inertia - model.inertia) <= 1e-9 * inertia)
        for i in sums.indices { #expect(abs(sums[i] / counts[i / x.columns] - model.centers[i]) < 1e-3) }
        #expect(model.summary["inertia"]?.doubleValue == model.inertia)
        #expect((model.summary["n_iter"]?.intValue ?? 0) >= 1)
    }

    @Test func sameSeedSameCentresOnAnyCoreCount() throws {
        var g = SeededGenerator(seed: 5)
        let rows = 3000, columns = 3  // two chunks (of at least 2,048 rows) to merge
        let x = Matrix(rows: rows, columns: columns, values: (0..<rows * columns).map { i in g.unit() + Double((i / columns) % 5) })
        let data = TrainingSet(features: x, target: [], classCount: 0, featureNames: (0..<columns).map { "f\($0)" })
        let estimator = KMeansEstimator(clusters: 9, initialization: "k-means++", runs: 2, maxIterations: 15, tolerance: 1e-4)
        let one = try #require(try estimator.fit(data, context: FitContext(seed: 7, threads: 1)) as? TrainedKMeans)
        let two = try #require(try estimator.fit(data, context: FitContext(seed: 7, threads: 2)) as? TrainedKMeans)
        let other = try #require(try estimator.fit(data, context: FitContext(seed: 8, threads: 2)) as? TrainedKMeans)
        #expect(one.centers == two.centers && one.inertia == two.inertia && one.iterations == two.iterations)
        #expect(other.centers != one.centers)
    }

    @Test func bundleRoundTripPredictsTheSame() throws {
        let c = try MiscFixtures.cases("misc_kmeans", task: .clustering)[0]
        let model = try c.fit()
        let loaded = try #require(try roundTrip(model) as? TrainedKMeans)
        #expect(loaded.predict(c.testFeatures) == model.predict(c.testFeatures))
        #expect(loaded.summary == model.summary)
    }

    /// Two starting centres on the same point leave a cluster empty; it must take the row
    /// farthest from its centre (scikit-learn's relocation) and the run still reach inertia 0.
    @Test func emptyClusterTakesTheFarthestRow() throws {
        let values: [Double] = [0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 10, 10, 10, 10, 10]
        let result = try KMeansData.with(values, rows: 15, features: 1, threads: 2) { data in
            try LloydIterations.run(data, initial: [0, 0, 10], clusters: 3, maxIterations: 50, tolerance: 0, context: FitContext())
        }
        #expect(result.inertia == 0)
        #expect(Set(result.centers) == [0, 5, 10])
        #expect(Set(result.labels).count == 3)
    }

    @Test func randomInitialisationPicksDistinctRows() throws {
        let values = (0..<50).map(Double.init)
        var g = SeededGenerator(seed: 1)
        let centers = KMeansData.with(values, rows: 50, features: 1, threads: 1) { data in
            KMeansInitialization.random(data, clusters: 50, generator: &g)
        }
        #expect(Set(centers).count == 50)
    }

    /// On tight, far-apart blobs k-means++ puts one centre in every blob: once a blob holds a
    /// centre its rows weigh almost nothing. 8 clusters take the four-candidate path, 25 the
    /// eight-lane one (2 + ln 25 = 5 candidates).
    @Test(arguments: [8, 25])
    func plusPlusSeedsEveryBlobOnce(clusters: Int) {
        var g = SeededGenerator(seed: 13)
        let perBlob = 20, d = 3
        var values: [Double] = []
        for blob in 0..<clusters {
            for _ in 0..<perBlob {
                values += [Double(blob % 5) * 100 + g.unit(), Double(blob / 5) * 100 + g.unit(), g.unit()]
            }
        }
        let centers = KMeansData.with(values, rows: clusters * perBlob, features: d, threads: 2) { data in
            KMeansInitialization.plusPlus(data, clusters: clusters, generator: &g)
        }
        let blobs = Set((0..<clusters).map { (c: Int) -> Int in
            let column = Int((centers[c * d] / 100).rounded()), row = Int((centers[c * d + 1] / 100).rounded())
            return column + 5 * row
        })
        #expect(blobs.count == clusters)
    }

    /// The candidates' potentials, Σ min(closest, ‖x − candidate‖²), against a plain loop, on
    /// both the four-lane and the eight-lane path and over several chunks.
    @Test(arguments: [3, 6])
    func candidatePotentialsMatchAPlainSum(trials: Int) {
        var g = SeededGenerator(seed: 17)
        let rows = 5000, d = 7
        let values = (0..<rows * d).map { _ in g.unit() * 4 }
        let closest = (0..<rows).map { _ in g.unit() * 3 }
        let chosen = (0..<trials).map { _ in g.uniform(rows) }
        var candidateRows: [Double] = []
        for r in chosen { candidateRows += values[r * d..<(r + 1) * d] }
        let sums: [Double] = KMeansData.with(values, rows: rows, features: d, threads: 2) { data in
            let ranges = ParallelChunks.ranges(count: rows, size: 2048)
            var out = [Double](repeating: 0, count: ranges.count * trials)
            KMeansInitialization.potentials(data, closest: closest, candidates: LaneBlocks(values: candidateRows, columns: d),
                                            trials: trials, into: &out, ranges: ranges)
            return (0..<trials).map { t in (0..<ranges.count).reduce(0.0) { $0 + out[$1 * trials + t] } }
        }
        for t in 0..<trials {
            var expected = 0.0
            for r in 0..<rows {
                var s = 0.0
                for f in 0..<d { let v = values[r * d + f] - candidateRows[t * d + f]; s += v * v }
                expected += min(s, closest[r])
            }
            #expect(abs(sums[t] - expected) <= 1e-9 * expected, "candidate \(t): \(sums[t]) vs \(expected)")
        }
    }

    @Test func searchsortedMatchesNumpy() {
        let cumulative: [Double] = [1, 3, 3, 6]
        #expect(KMeansInitialization.firstIndex(in: cumulative, notBelow: 0.5) == 0)
        #expect(KMeansInitialization.firstIndex(in: cumulative, notBelow: 3) == 1)
        #expect(KMeansInitialization.firstIndex(in: cumulative, notBelow: 3.5) == 3)
        #expect(KMeansInitialization.firstIndex(in: cumulative, notBelow: 7) == 4)
    }

    @Test func rejectsFewerRowsThanClustersAndMissingValues() throws {
        let descriptor = try #require(ModelCatalog.lookup("sklearn.cluster.KMeans"))
        #expect(descriptor.task == .clustering)
        let (params, problems) = descriptor.resolve(JSONObject([("n_clusters", .int(5)), ("n_init", .int(3)), ("random_state", .int(1))]))
        #expect(problems.isEmpty)
        let few = TrainingSet(features: Matrix(rows: 3, columns: 1, values: [1, 2, 3]), target: [], classCount: 0, featureNames: ["x"])
        #expect(throws: MMPError.self) { try descriptor.make(params).fit(few, context: FitContext()) }
        let holed = TrainingSet(features: Matrix(rows: 8, columns: 1, values: [1, 2, 3, .nan, 5, 6, 7, 8]), target: [], classCount: 0, featureNames: ["x"])
        do {
            _ = try descriptor.make(params).fit(holed, context: FitContext())
            Issue.record("expected an error")
        } catch let error as MMPError {
            #expect(error.message.contains("row 4") && error.message.contains("simple_imputer"))
        }
        let (_, bad) = descriptor.resolve(JSONObject([("init", .string("kmeans++"))]))
        #expect(bad.first?.message.contains("k-means++") == true)
    }

    @Test func cancellationStopsTheFit() throws {
        var g = SeededGenerator(seed: 2)
        let x = Matrix(rows: 2000, columns: 3, values: (0..<6000).map { _ in g.unit() })
        let data = TrainingSet(features: x, target: [], classCount: 0, featureNames: ["a", "b", "c"])
        let estimator = KMeansEstimator(clusters: 4, initialization: "k-means++", runs: 3, maxIterations: 300, tolerance: 1e-4)
        #expect { try estimator.fit(data, context: FitContext(isCancelled: { true })) } throws: { error in
            (error as? MMPError)?.kind == .cancelled
        }
    }
}

/// The assignment kernel (eight centres per vector, single precision) against a plain
/// double-precision search, with more than one group of eight centres.
@Suite struct KMeansAssignmentTests {
    @Test func nearestCentreMatchesAPlainSearch() {
        var g = SeededGenerator(seed: 21)
        let k = 13, d = 5, n = 400
        let centers = (0..<k * d).map { _ in g.unit() * 10 + 1000 }  // far from the origin: centring matters
        let rows = (0..<n * d).map { _ in g.unit() * 10 + 1000 }
        let model = TrainedKMeans(clusters: k, features: d, centers: centers, means: (0..<d).map { _ in 1005 },
                                  inertia: 0, iterations: 1, runs: 1)
        let predicted = model.predict(Matrix(rows: n, columns: d, values: rows))
        var agree = 0
        for r in 0..<n {
            let distances: [Double] = (0..<k).map { c in
                var s = 0.0
                for f in 0..<d { let v = rows[r * d + f] - centers[c * d + f]; s += v * v }
                return s
            }
            let nearest = distances.indices.min { distances[$0] < distances[$1] }!
            // Single precision may pick the other of two centres within 1e-5 relative of a tie.
            #expect(distances[Int(predicted[r])] <= distances[nearest] * (1 + 1e-5))
            if Int(predicted[r]) == nearest { agree += 1 }
        }
        #expect(agree >= n - 2)
        #expect(Set(predicted).count > 8)  // centres of the second group are chosen too
    }
}
