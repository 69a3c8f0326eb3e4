import MMPCore

/// k-nearest-neighbours classification and regression (scikit-learn's `KNeighborsClassifier`
/// and `KNeighborsRegressor`): fitting stores the training rows; predicting searches them.
struct KNeighborsEstimator: Estimator {
    var settings: NeighborSettings
    var classifier: Bool

    func fit(_ data: TrainingSet, context: FitContext) throws -> any TrainedModel {
        try context.checkCancelled()
        let name = classifier ? "KNeighborsClassifier" : "KNeighborsRegressor"
        let memory = try NeighborMemory.fitting(data, settings: settings, model: name)
        context.progress(1)
        if classifier {
            guard data.classCount >= 1, data.target.allSatisfy({ $0 >= 0 && Int($0) < data.classCount }) else {
                throw MMPError.invalidData("\(name) needs class indices 0..<\(data.classCount) as its target")
            }
            return TrainedKNeighborsClassifier(memory: memory, classCount: data.classCount)
        }
        return TrainedKNeighborsRegressor(memory: memory)
    }
}

public struct TrainedKNeighborsClassifier: TrainedModel {
    public static let typeName = "KNeighborsClassifier"
    let memory: NeighborMemory
    let classCount: Int

    init(memory: NeighborMemory, classCount: Int) {
        self.memory = memory
        self.classCount = classCount
    }

    /// The class with the largest (weighted) vote; ties go to the lower class, as numpy's argmax.
    public func predict(_ features: Matrix) -> [Double] {
        let p = predictProbabilities(features)!
        return (0..<p.rows).map { r in
            var best = 0
            for c in 1..<max(1, classCount) where p[r, c] > p[r, best] { best = c }
            return Double(best)
        }
    }

    public func predictProbabilities(_ features: Matrix) -> Matrix? {
        let result = memory.neighbors(of: features)
        var out = Matrix(rows: features.rows, columns: classCount)
        var w = [Double](repeating: 0, count: result.k)
        for r in 0..<features.rows {
            memory.weights(result, row: r, into: &w)
            var total = 0.0
            for j in 0..<result.k {
                out[r, Int(memory.targets[result.indices[r * result.k + j]])] += w[j]
                total += w[j]
            }
            for c in 0..<classCount { out[r, c] /= total }
        }
        return out
    }

    public var summary: JSONObject {
        JSONObject([("training_rows", .int(memory.rows)), ("algorithm", .string(memory.index.algorithm.rawValue)),
                    ("metric", .string(memory.metric.name))])
    }

    public func encode(to writer: inout ByteWriter) {
        memory.encode(to: &writer)
        writer.write(classCount)
    }

    public init(from reader: inout ByteReader) throws {
        memory = try NeighborMemory.decode(from: &reader)
        classCount = try reader.readInt()
        guard classCount >= 1, memory.targets.allSatisfy({ $0 >= 0 && Int($0) < classCount }) else {
            throw MMPError.corrupt("KNeighborsClassifier data holds a class outside 0..<\(classCount)")
        }
    }
}

public struct TrainedKNeighborsRegressor: TrainedModel {
    public static let typeName = "KNeighborsRegressor"
    let memory: NeighborMemory

    init(memory: NeighborMemory) { self.memory = memory }

    /// The (weighted) mean target of the neighbours.
    public func predict(_ features: Matrix) -> [Double] {
        let result = memory.neighbors(of: features)
        var w = [Double](repeating: 0, count: result.k)
        return (0..<features.rows).map { r in
            memory.weights(result, row: r, into: &w)
            var sum = 0.0, total = 0.0
            for j in 0..<result.k {
                sum += w[j] * memory.targets[result.indices[r * result.k + j]]
                total += w[j]
            }
            return sum / total
        }
    }

    public var summary: JSONObject {
        JSONObject([("training_rows", .int(memory.rows)), ("algorithm", .string(memory.index.algorithm.rawValue)),
                    ("metric", .string(memory.metric.name))])
    }

    public func encode(to writer: inout ByteWriter) { memory.encode(to: &writer) }

    public init(from reader: inout ByteReader) throws { memory = try NeighborMemory.decode(from: &reader) }
}
