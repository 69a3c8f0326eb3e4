import MMPCore
import Testing
@testable import MMPLearn

/// Birch against scikit-learn (scripts/reference/models_reference.py, birch_*.json): the CF tree
/// holds the same subcluster centres (1e-9), and every row falls in the same
/// cluster (the same partition; cluster numbers may differ).
@Suite struct BirchReferenceTests {
    static let cases = ReferenceFixture.names(prefix: "birch_")

    @Test(arguments: cases)
    func matchesScikitLearn(_ name: String) throws {
        let fixture = try ReferenceFixture.load(name)
        let x = try MixtureReferenceTests.standardised(fixture)
        let descriptor = try #require(ModelCatalog.lookup("sklearn.cluster.Birch"))
        let (hp, problems) = descriptor.resolve(.of(["n_clusters": fixture["n_clusters"] ?? .null, "threshold": fixture["threshold"]!,
                                                     "branching_factor": fixture["branching_factor"]!]))
        #expect(problems.isEmpty)
        let model = try #require(try descriptor.make(hp).fit(TrainingSet(features: x, target: [], classCount: 0, featureNames: []),
                                                               context: FitContext()) as? TrainedBirch)
        let centres = try #require(fixture["subcluster_centers"]?.arrayValue)
        #expect(model.centres.rows == centres.count, "\(name): \(model.centres.rows) subclusters, scikit-learn \(centres.count)")
        let tolerance = try fixture.double("tolerance")
        // The same subclusters. Their order follows the leaf chain, and where two centres are
        // equally far apart scikit-learn's BLAS rounding may pick the other one of the pair to
        // split around, so rows are compared sorted.
        func sorted(_ rows: [[Double]]) -> [[Double]] { rows.sorted { $0.lexicographicallyPrecedes($1) } }
        let want = sorted(centres.map { ($0.arrayValue ?? []).map { $0.doubleValue ?? .nan } })
        let got = sorted((0..<model.centres.rows).map { Array(model.centres.row($0)) })
        for (a, b) in zip(got, want) {
            #expect(zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }, "\(name): centre \(a), scikit-learn \(b)")
        }
        let ours = model.predict(x).map { Int($0) }
        let theirs = try fixture.doubles("labels").map { Int($0) }
        // Same partition: the label maps are a bijection.
        var forward: [Int: Int] = [:], backward: [Int: Int] = [:]
        var same = true
        for (a, b) in zip(ours, theirs) {
            if forward[a, default: b] != b || backward[b, default: a] != a { same = false }
            forward[a] = b; backward[b] = a
        }
        #expect(same, "\(name): the clusters differ from scikit-learn's")
        #expect(Set(ours).count == Set(theirs).count)
    }

    @Test func roundTripsThroughTheCodec() throws {
        let x = try MixtureReferenceTests.standardised(try ReferenceFixture.load("birch_iris_threshold_0_3"))
        let descriptor = try #require(ModelCatalog.lookup("Birch"))
        let model = try descriptor.make(descriptor.resolve(JSONObject()).0).fit(TrainingSet(features: x, target: [], classCount: 0, featureNames: []), context: FitContext())
        var writer = ByteWriter()
        ModelCodec.encode(model, to: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try ModelCodec.decode(from: &reader).predict(x) == model.predict(x))
    }

    @Test func deepModelsOfThePythonToolGetAnErrorNamingThem() throws {
        for path in ["mmp.models.custom.tabnet_wrapper.TabNetClassifierWrapper", "mmp.models.custom.ft_transformer.FTTransformerRegressor",
                     "rtdl_revisiting_models.ResNetRegressor", "mmp.models.custom.lstm_timeseries.LSTMTimeSeries", "pytorch_tabnet.tab_model.TabNetClassifier"] {
            do {
                _ = try ModelCatalog.require(path)
                Issue.record("\(path) should be refused")
            } catch let error as MMPError {
                #expect(error.message.contains("deep-learning model"), "\(path): \(error.message)")
                #expect(error.message.contains(path))
            }
        }
        #expect(DeepModels.refusal(for: "sklearn.svm.SVC") == nil)
    }
}
