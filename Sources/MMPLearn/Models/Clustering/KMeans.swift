import MMPCore

/// scikit-learn's `KMeans` with Lloyd's algorithm: `n_init` runs from k-means++ (or random
/// rows), each iterated to convergence, and the run with the lowest inertia kept.
///
/// As scikit-learn, the assignment step works on rows centred on their means (its
/// ‖c‖²/2 − x·c expansion loses precision far from the origin) and the tolerance is scaled by
/// the data: a run stops once its centres move less than `tol × mean feature variance` in
/// total squared distance, or as soon as no label changes. The centred copy is in single
/// precision (see `CentroidBlocks`): it costs half of what scikit-learn's double copy does.
struct KMeansEstimator: Estimator {
    var clusters: Int
    var initialization: String
    /// nil = scikit-learn's `auto`: one run from k-means++, ten from random rows.
    var runs: Int?
    var maxIterations: Int
    var tolerance: Double

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        try context.checkCancelled()
        let x = data.features, n = x.rows, d = x.columns, k = clusters
        guard n >= k else {
            throw MMPError.invalidData("KMeans: n_clusters is \(k) but the training split has only \(n) rows; lower n_clusters")
        }
        guard d > 0 else { throw MMPError.invalidData("KMeans needs at least one feature column") }
        if let bad = x.values.firstIndex(where: { !$0.isFinite }) {
            throw MMPError.invalidData("KMeans cannot use missing or infinite values (\(FeatureNaming.describe(bad, columns: d, names: data.featureNames))); add a simple_imputer step")
        }
        var variances = [Double](repeating: 0, count: d), sums = [Double](repeating: 0, count: d)
        for r in 0..<n { for f in 0..<d { sums[f] += x.values[r * d + f] } }
        for r in 0..<n { for f in 0..<d { let v = x.values[r * d + f] - sums[f] / Double(n); variances[f] += v * v } }
        let scaledTolerance = tolerance * variances.reduce(0, +) / Double(n * d)
        let runCount = runs ?? (initialization == "random" ? 10 : 1)

        var best: KMeansRun?
        let means = try KMeansData.with(x.values, rows: n, features: d, threads: context.threads) { rows in
            for run in 0..<runCount {
                try context.checkCancelled()
                var generator = SeededGenerator(seed: context.seed).derived(run)
                let initial = initialization == "random"
                    ? KMeansInitialization.random(rows, clusters: k, generator: &generator)
                    : KMeansInitialization.plusPlus(rows, clusters: k, generator: &generator)
                let result = try LloydIterations.run(rows, initial: initial, clusters: k, maxIterations: maxIterations,
                                                     tolerance: scaledTolerance, context: context)
                if best == nil || result.inertia < best!.inertia { best = result }
                context.progress(Double(run + 1) / Double(runCount))
            }
            return rows.means
        }
        let chosen = best!
        return TrainedKMeans(clusters: k, features: d, centers: chosen.centers, means: means, inertia: chosen.inertia,
                             iterations: chosen.iterations, runs: runCount)
    }
}

public struct TrainedKMeans: TrainedModel {
    public static let typeName = "KMeans"
    static let formatVersion: UInt8 = 1

    let clusters: Int
    let features: Int
    /// clusters × features, in the data's own units.
    public let centers: [Double]
    /// Training means: the assignment works on centred rows, and they stand in for missing values.
    let means: [Double]
    /// Σ squared distance of the training rows to their centres (scikit-learn's `inertia_`).
    public let inertia: Double
    public let iterations: Int
    let runs: Int

    init(clusters: Int, features: Int, centers: [Double], means: [Double], inertia: Double, iterations: Int, runs: Int) {
        self.clusters = clusters; self.features = features; self.centers = centers; self.means = means
        self.inertia = inertia; self.iterations = iterations; self.runs = runs
    }

    /// The nearest centre of each row (a missing value counts as the training mean).
    public func predict(_ x: Matrix) -> [Double] {
        precondition(x.columns == features, "KMeans was trained on \(features) features, given \(x.columns)")
        let d = features
        var centred = [Float](repeating: 0, count: x.values.count)
        for i in centred.indices { let v = x.values[i]; centred[i] = v.isNaN ? 0 : Float(v - means[i % d]) }
        let blocks = CentroidBlocks(centers: centers, means: means, clusters: clusters, features: d)
        var labels = [Double](repeating: 0, count: x.rows)
        centred.withUnsafeBufferPointer { rows in
            blocks.coordinates.withUnsafeBufferPointer { coordinates in
                blocks.halfNorms.withUnsafeBufferPointer { halfNorms in
                    labels.withUnsafeMutableBufferPointer { out in
                        let rp = rows.baseAddress!, cp = coordinates.baseAddress!, hp = halfNorms.baseAddress!, op = out.baseAddress!
                        ParallelChunks.run(count: x.rows, chunkSize: 8192, threads: CPUInfo.availableCores) { _, range in
                            for r in range {
                                op[r] = Double(CentroidBlocks.nearest(rp + r * d, coordinates: cp, halfNorms: hp, groups: blocks.groups, features: d))
                            }
                        }
                    }
                }
            }
        }
        return labels
    }

    public var summary: JSONObject {
        JSONObject([("inertia", .double(inertia)), ("n_iter", .int(iterations)), ("n_clusters", .int(clusters)), ("n_init", .int(runs))])
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(TrainedKMeans.formatVersion)
        writer.write(clusters)
        writer.write(features)
        writer.write(centers)
        writer.write(means)
        writer.write(inertia)
        writer.write(iterations)
        writer.write(runs)
    }

    public init(from reader: inout ByteReader) throws {
        try reader.readFormatVersion(TrainedKMeans.formatVersion, of: "KMeans")
        clusters = try reader.readInt()
        features = try reader.readInt()
        centers = try reader.readDoubles()
        means = try reader.readDoubles()
        inertia = try reader.readDouble()
        iterations = try reader.readInt()
        runs = try reader.readInt()
        guard clusters >= 1, features >= 1, centers.count == clusters * features, means.count == features else {
            throw MMPError.corrupt("KMeans data is inconsistent (\(clusters) clusters × \(features) features, \(centers.count) centre values)")
        }
    }
}
