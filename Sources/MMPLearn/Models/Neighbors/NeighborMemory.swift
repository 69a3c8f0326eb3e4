import MMPCore

/// How a neighbours model votes: k, weighting, distance and search structure.
struct NeighborSettings: Sendable, Equatable {
    var k: Int
    /// `weights: distance` (1/d, exact matches alone when any neighbour is at distance 0),
    /// else every neighbour counts the same.
    var distanceWeighted: Bool
    var metric: String
    var p: Double
    var algorithm: String
    var leafSize: Int

    init(_ params: Hyperparameters) {
        k = params.int("n_neighbors")
        distanceWeighted = params.string("weights") == "distance"
        metric = params.string("metric")
        p = params.double("p")
        algorithm = params.string("algorithm")
        leafSize = params.int("leaf_size")
    }

    init(k: Int, distanceWeighted: Bool, metric: String, p: Double, algorithm: String, leafSize: Int) {
        self.k = k; self.distanceWeighted = distanceWeighted; self.metric = metric; self.p = p
        self.algorithm = algorithm; self.leafSize = leafSize
    }
}

/// The training rows a neighbours model predicts from, with the index that searches them.
///
/// A neighbours model *is* its training data: the bundle holds every training row as 8-byte
/// doubles (rows × features × 8 bytes before zstd, so 200,000 rows of 20 features add about
/// 32 MB), and loading a bundle rebuilds the index.
struct NeighborMemory: Sendable {
    static let formatVersion: UInt8 = 1

    let settings: NeighborSettings
    let metric: DistanceMetric
    let values: [Double]
    let rows: Int
    let columns: Int
    let targets: [Double]
    /// Training means, which stand in for missing values at predict time.
    let means: [Double]
    let index: NeighborIndex

    init(settings: NeighborSettings, values: [Double], rows: Int, columns: Int, targets: [Double]) throws {
        self.settings = settings
        metric = try DistanceMetric.named(settings.metric, p: settings.p)
        self.values = values
        self.rows = rows
        self.columns = columns
        self.targets = targets
        var means = [Double](repeating: 0, count: columns)
        for r in 0..<rows { for f in 0..<columns { means[f] += values[r * columns + f] } }
        self.means = means.map { rows > 0 ? $0 / Double(rows) : 0 }
        index = NeighborIndex(values: values, rows: rows, columns: columns, metric: metric,
                              requested: settings.algorithm, k: settings.k, leafSize: settings.leafSize)
    }

    /// Checks what `fit` is given and keeps it.
    static func fitting(_ data: TrainingSet, settings: NeighborSettings, model: String) throws -> NeighborMemory {
        let x = data.features
        guard x.rows > 0 else { throw MMPError.invalidData("\(model) needs at least one training row") }
        guard settings.k <= x.rows else {
            throw MMPError.invalidData("\(model): n_neighbors is \(settings.k) but the training split has only \(x.rows) rows; lower n_neighbors")
        }
        if let bad = x.values.firstIndex(where: { !$0.isFinite }) {
            throw MMPError.invalidData("\(model) cannot use missing or infinite values (\(FeatureNaming.describe(bad, columns: x.columns, names: data.featureNames))); add a simple_imputer step")
        }
        guard data.target.count == x.rows, data.target.allSatisfy(\.isFinite) else {
            throw MMPError.invalidData("\(model) needs a target value for every training row")
        }
        return try NeighborMemory(settings: settings, values: x.values, rows: x.rows, columns: x.columns, targets: data.target)
    }

    /// Neighbours of every row of `features` (missing values replaced by the training means).
    func neighbors(of features: Matrix) -> NeighborIndex.Result {
        precondition(features.columns == columns, "the model was trained on \(columns) features, given \(features.columns)")
        var queries = features.values
        for i in queries.indices where queries[i].isNaN { queries[i] = means[i % columns] }
        return index.search(queries, k: settings.k, threads: CPUInfo.availableCores)
    }

    /// Weights of one query's neighbours, as scikit-learn's `_get_weights`.
    @inline(__always) func weights(_ result: NeighborIndex.Result, row: Int, into w: inout [Double]) {
        let k = result.k, base = row * k
        guard settings.distanceWeighted else {
            for j in 0..<k { w[j] = 1 }
            return
        }
        var exact = false
        for j in 0..<k where result.distances[base + j] == 0 { exact = true }
        for j in 0..<k {
            let d = result.distances[base + j]
            w[j] = exact ? (d == 0 ? 1 : 0) : 1 / d
        }
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(NeighborMemory.formatVersion)
        writer.write(settings.k)
        writer.write(settings.distanceWeighted)
        writer.write(settings.metric)
        writer.write(settings.p)
        writer.write(settings.algorithm)
        writer.write(settings.leafSize)
        writer.write(rows)
        writer.write(columns)
        writer.write(values)
        writer.write(targets)
    }

    static func decode(from reader: inout ByteReader) throws -> NeighborMemory {
        try reader.readFormatVersion(formatVersion, of: "neighbours model")
        let settings = NeighborSettings(k: try reader.readInt(), distanceWeighted: try reader.readBool(), metric: try reader.readString(),
                                        p: try reader.readDouble(), algorithm: try reader.readString(), leafSize: try reader.readInt())
        let rows = try reader.readInt(), columns = try reader.readInt()
        let values = try reader.readDoubles(), targets = try reader.readDoubles()
        guard rows >= 1, columns >= 0, values.count == rows * columns, targets.count == rows, (1...rows).contains(settings.k) else {
            throw MMPError.corrupt("neighbours model data is inconsistent (\(rows) rows × \(columns) features, \(values.count) values, k = \(settings.k))")
        }
        return try NeighborMemory(settings: settings, values: values, rows: rows, columns: columns, targets: targets)
    }
}
