import MMPCore
import Testing
@testable import MMPLearn

/// GaussianMixture against scikit-learn (scripts/reference/models_reference.py, mixture_*.json):
/// EM started from the same k-means labels reaches the same weights, means, covariances, lower
/// bound, BIC and AIC within the fixture's tolerance (1e-4), and the same labels; started from our
/// own k-means it finds the same optimum on these well-separated sets.
@Suite struct MixtureReferenceTests {
    static let cases = ReferenceFixture.names(prefix: "mixture_")

    /// The dataset standardised as the script does (population standard deviation).
    static func standardised(_ fixture: JSON) throws -> Matrix {
        let table = try ReferenceFixture.dataset(try #require(fixture["dataset"]?.stringValue))
        let drop = (fixture["drop"]?.arrayValue ?? []).compactMap(\.stringValue)
        let names = table.columnNames.filter { !drop.contains($0) }
        let x = try FeatureMatrix.build(table, columns: names)
        var values = x.values
        for f in 0..<x.columns {
            let column = x.column(f)
            let mean = column.reduce(0, +) / Double(x.rows)
            let sd = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.rows)).squareRoot()
            for r in 0..<x.rows { values[r * x.columns + f] = (values[r * x.columns + f] - mean) / sd }
        }
        return Matrix(rows: x.rows, columns: x.columns, values: values)
    }

    @Test(arguments: cases)
    func emFromTheSameStartMatchesScikitLearn(_ name: String) throws {
        let fixture = try ReferenceFixture.load(name)
        let x = try Self.standardised(fixture)
        let k = try #require(fixture["n_components"]?.intValue)
        let type = try #require(CovarianceType(rawValue: fixture["covariance_type"]?.stringValue ?? ""))
        let labels = try fixture.doubles("initial_labels").map { Int($0) }
        var resp = [Double](repeating: 0, count: x.rows * k)
        for (i, l) in labels.enumerated() { resp[i * k + l] = 1 }
        let run = try GaussianMixtureEstimator.expectationMaximisation(x, responsibilities: resp, components: k, type: type, regularization: 1e-6,
                                                                       tolerance: 1e-6, maxIterations: 500, pool: WorkerPool(threads: 2), context: FitContext())
        let tolerance = try fixture.double("tolerance")
        func close(_ ours: [Double], _ key: String) throws {
            let want = try flat(fixture.require(key))
            #expect(ours.count == want.count, "\(name) \(key): \(ours.count) values, scikit-learn \(want.count)")
            for (a, b) in zip(ours, want) { #expect(abs(a - b) <= tolerance * max(1, abs(b)), "\(name) \(key): ours \(a), scikit-learn \(b)") }
        }
        try close(run.components.weights, "weights")
        try close(run.components.means, "means")
        try close(run.components.covariances, "covariances")
        #expect(abs(run.lowerBound - (try fixture.double("lower_bound"))) <= tolerance, "\(name) lower bound \(run.lowerBound)")
        let model = TrainedGaussianMixture(components: run.components, iterations: run.iterations, converged: run.converged, lowerBound: run.lowerBound,
                                           trainingLogLikelihood: 0, trainingRows: x.rows)
        let (bic, aic) = model.criteria(x)
        #expect(abs(bic - (try fixture.double("bic"))) <= tolerance * abs(bic), "\(name) bic ours \(bic)")
        #expect(abs(aic - (try fixture.double("aic"))) <= tolerance * abs(aic), "\(name) aic ours \(aic)")
        #expect(model.predict(x) == (try fixture.doubles("labels")), "\(name) labels")
        let head = try #require(model.predictProbabilities(Matrix(rows: 5, columns: x.columns, values: Array(x.values[0..<(5 * x.columns)]))))
        let want = try flat(fixture.require("probabilities_head"))
        for (a, b) in zip(head.values, want) { #expect(abs(a - b) <= 1e-4, "\(name) probabilities: ours \(a), scikit-learn \(b)") }
    }

    @Test(arguments: cases)
    func fullFitFromOurKMeansFindsTheSameOptimum(_ name: String) throws {
        let fixture = try ReferenceFixture.load(name)
        let x = try Self.standardised(fixture)
        let descriptor = try #require(ModelCatalog.lookup("sklearn.mixture.GaussianMixture"))
        let (hp, problems) = descriptor.resolve(.of(["n_components": fixture["n_components"]!, "covariance_type": fixture["covariance_type"]!,
                                                     "tol": 1e-6, "max_iter": 500, "n_init": 3]))
        #expect(problems.isEmpty)
        let model = try #require(try descriptor.make(hp).fit(TrainingSet(features: x, target: [], classCount: 0, featureNames: []),
                                                               context: FitContext(seed: 42, threads: 2)) as? TrainedGaussianMixture)
        let bic = try fixture.double("bic")
        // Equal BIC up to 1e-3 relative (label order aside, the same mixture), or a better one.
        #expect(model.bic <= bic + 1e-3 * abs(bic), "\(name): our BIC \(model.bic), scikit-learn's \(bic)")
        #expect(model.summary["aic"]?.doubleValue == model.aic)
    }

    @Test func roundTripsAndRefusesTooFewRows() throws {
        let fixture = try ReferenceFixture.load("mixture_iris_diag")
        let x = try Self.standardised(fixture)
        let descriptor = try #require(ModelCatalog.lookup("GaussianMixture"))
        let model = try descriptor.make(descriptor.resolve(.of(["n_components": 3, "covariance_type": "spherical"])).0)
            .fit(TrainingSet(features: x, target: [], classCount: 0, featureNames: []), context: FitContext())
        var writer = ByteWriter()
        ModelCodec.encode(model, to: &writer)
        var reader = ByteReader(writer.bytes)
        let back = try ModelCodec.decode(from: &reader)
        #expect(back.predict(x) == model.predict(x))
        #expect(back.predictProbabilities(x) == model.predictProbabilities(x))
        #expect(throws: MMPError.self) {
            try descriptor.make(descriptor.resolve(.of(["n_components": 5])).0)
                .fit(TrainingSet(features: Matrix(rows: 3, columns: 1, values: [1, 2, 3]), target: [], classCount: 0, featureNames: ["a"]), context: FitContext())
        }
    }

    private func flat(_ json: JSON) throws -> [Double] {
        if let d = json.doubleValue { return [d] }
        return try (json.arrayValue ?? []).flatMap { try flat($0) }
    }
}
