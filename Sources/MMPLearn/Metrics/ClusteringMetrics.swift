import MMPCore

/// Clustering metrics, computed like scikit-learn's on the rows scored and the cluster ids
/// predicted for them. Each needs at least two clusters and fewer clusters than rows (else it
/// is not reported).
public enum ClusteringMetrics: MetricFamily {
    /// Above this many rows the silhouette is computed on a seeded random sample of this many
    /// (as scikit-learn's `silhouette_score(sample_size=...)`): exact silhouette costs
    /// rows² distances, and 10,000 rows already take 10⁸.
    public static let silhouetteSampleLimit = 10_000
    /// The sample's seed, fixed so a model's reported silhouette is reproducible.
    public static let silhouetteSampleSeed = 0

    public static let descriptors: [MetricDescriptor] = [
        MetricDescriptor(name: "silhouette_score", aliases: ["silhouette"], task: .clustering, direction: .maximize,
                         summary: "mean silhouette (b − a) / max(a, b), euclidean; sampled to \(silhouetteSampleLimit) rows above that",
                         compute: { input in
                             guard let x = input.features else { return nil }
                             return silhouette(x, labels: input.predicted)
                         }),
        MetricDescriptor(name: "inertia", task: .clustering, direction: .minimize,
                         summary: "sum of squared distances of the training rows to their centres (the model's own figure, as scikit-learn's inertia_)",
                         compute: { input in input.modelFigures["inertia"] }),
        MetricDescriptor(name: "bic", task: .clustering, direction: .minimize,
                         summary: "Bayesian information criterion of a GaussianMixture on its training rows, -2 log L + p ln n (the model's own figure, as scikit-learn's bic(X))",
                         compute: { input in input.modelFigures["bic"] }),
        MetricDescriptor(name: "aic", task: .clustering, direction: .minimize,
                         summary: "Akaike information criterion of a GaussianMixture on its training rows, -2 log L + 2p",
                         compute: { input in input.modelFigures["aic"] }),
        MetricDescriptor(name: "calinski_harabasz", aliases: ["calinski_harabasz_score"], task: .clustering, direction: .maximize,
                         summary: "between-cluster over within-cluster dispersion, scaled by degrees of freedom",
                         compute: { input in input.features.flatMap { calinskiHarabasz($0, labels: input.predicted) } }),
        MetricDescriptor(name: "davies_bouldin", aliases: ["davies_bouldin_score"], task: .clustering, direction: .minimize,
                         summary: "mean over clusters of the worst (spread_i + spread_j) / centre distance",
                         compute: { input in input.features.flatMap { daviesBouldin($0, labels: input.predicted) } }),
    ]

    /// Cluster ids → 0..<count in ascending id order (scikit-learn's LabelEncoder), or nil unless
    /// 2 ≤ count ≤ rows − 1.
    static func encode(_ labels: [Double]) -> (labels: [Int], count: Int)? {
        let ids = Array(Set(labels)).sorted()
        guard ids.count >= 2, ids.count <= labels.count - 1, !ids.contains(where: \.isNaN) else { return nil }
        var index: [Double: Int] = [:]
        for (i, id) in ids.enumerated() { index[id] = i }
        return (labels.map { index[$0]! }, ids.count)
    }

    /// Mean silhouette coefficient; above `sampleLimit` rows, of a seeded sample of that many.
    public static func silhouette(_ x: Matrix, labels: [Double], sampleLimit: Int = silhouetteSampleLimit,
                                  seed: Int = silhouetteSampleSeed, threads: Int = CPUInfo.availableCores) -> Double? {
        guard labels.count == x.rows, x.rows > 0 else { return nil }
        var values = x.values, chosen = labels
        if x.rows > sampleLimit {
            var rows = Array(0..<x.rows)
            var g = SeededGenerator(seed: seed)
            for i in 0..<sampleLimit { rows.swapAt(i, i + g.uniform(x.rows - i)) }
            let sample = rows.prefix(sampleLimit).sorted()
            values = x.selecting(rows: sample).values
            chosen = sample.map { labels[$0] }
        }
        guard !values.contains(where: \.isNaN), let (encoded, count) = encode(chosen) else { return nil }
        return SilhouetteKernel.mean(values: values, columns: x.columns, labels: encoded, clusterCount: count, threads: threads)
    }

    /// Per-cluster row counts and centroids (count × features).
    private static func centroids(_ x: Matrix, _ labels: [Int], _ count: Int) -> ([Double], [Double]) {
        let d = x.columns
        var sizes = [Double](repeating: 0, count: count)
        var centres = [Double](repeating: 0, count: count * d)
        for r in 0..<x.rows {
            sizes[labels[r]] += 1
            for f in 0..<d { centres[labels[r] * d + f] += x[r, f] }
        }
        for c in 0..<count { for f in 0..<d { centres[c * d + f] /= sizes[c] } }
        return (sizes, centres)
    }

    /// scikit-learn's `calinski_harabasz_score`.
    public static func calinskiHarabasz(_ x: Matrix, labels: [Double]) -> Double? {
        guard labels.count == x.rows, !x.values.contains(where: \.isNaN), let (encoded, count) = encode(labels) else { return nil }
        let d = x.columns, n = x.rows
        let (sizes, centres) = centroids(x, encoded, count)
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<n { for f in 0..<d { mean[f] += x[r, f] } }
        mean = mean.map { $0 / Double(n) }
        var between = 0.0, within = 0.0
        for c in 0..<count {
            var s = 0.0
            for f in 0..<d { let v = centres[c * d + f] - mean[f]; s += v * v }
            between += sizes[c] * s
        }
        for r in 0..<n { for f in 0..<d { let v = x[r, f] - centres[encoded[r] * d + f]; within += v * v } }
        if within == 0 { return 1 }
        return between * Double(n - count) / (within * Double(count - 1))
    }

    /// scikit-learn's `davies_bouldin_score`.
    public static func daviesBouldin(_ x: Matrix, labels: [Double]) -> Double? {
        guard labels.count == x.rows, !x.values.contains(where: \.isNaN), let (encoded, count) = encode(labels) else { return nil }
        let d = x.columns
        let (sizes, centres) = centroids(x, encoded, count)
        var spread = [Double](repeating: 0, count: count)
        for r in 0..<x.rows {
            var s = 0.0
            for f in 0..<d { let v = x[r, f] - centres[encoded[r] * d + f]; s += v * v }
            spread[encoded[r]] += s.squareRoot()
        }
        for c in 0..<count { spread[c] /= sizes[c] }
        var between = [Double](repeating: 0, count: count * count)
        for i in 0..<count {
            for j in 0..<count {
                var s = 0.0
                for f in 0..<d { let v = centres[i * d + f] - centres[j * d + f]; s += v * v }
                between[i * count + j] = s.squareRoot()
            }
        }
        // numpy.allclose(…, 0): every value within 1e-8 of zero.
        if spread.allSatisfy({ abs($0) <= 1e-8 }) || between.allSatisfy({ abs($0) <= 1e-8 }) { return 0 }
        var total = 0.0
        for i in 0..<count {
            var worst = -Double.infinity
            for j in 0..<count {
                let distance = between[i * count + j] == 0 ? Double.infinity : between[i * count + j]
                worst = max(worst, (spread[i] + spread[j]) / distance)
            }
            total += worst
        }
        return total / Double(count)
    }
}
