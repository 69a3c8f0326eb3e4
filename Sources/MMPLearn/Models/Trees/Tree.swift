import MMPCore

/// A fitted binary decision tree, stored as parallel arrays (one entry per node).
///
/// Node 0 is the root. An inner node sends a row left when its value is `<= threshold`, and a
/// missing (NaN) value to the side `missingLeft` names; its children are `children[n]` (left)
/// and `children[n] + 1` (right), always allocated together. A leaf has `feature == -1` and
/// `children[n]` indexes its `outputs` values in `values` (one value for regression and
/// boosting, one probability per class for classifiers).
public struct Tree: Sendable, Equatable {
    public var feature: [Int32] = []
    public var threshold: [Double] = []
    public var children: [Int32] = []
    public var missingLeft: [Bool] = []
    public var values: [Double] = []
    public var outputs: Int

    public init(outputs: Int) { self.outputs = outputs }

    public var nodeCount: Int { feature.count }

    /// Whether every split reads a feature below `count` (checked when a model is loaded, so a
    /// damaged or foreign bundle cannot make prediction read past a row).
    func splitsOnly(featuresBelow count: Int) -> Bool { feature.allSatisfy { $0 < Int32(count) } }
    public var leafCount: Int { values.count / max(1, outputs) }

    /// Appends a node that is a leaf for now; returns its index.
    @discardableResult
    mutating func addLeaf(_ leafValues: some Collection<Double>) -> Int {
        precondition(leafValues.count == outputs)
        let index = feature.count
        feature.append(-1)
        threshold.append(0)
        children.append(Int32(values.count / outputs))
        missingLeft.append(false)
        values.append(contentsOf: leafValues)
        return index
    }

    /// Appends an unfinished node (a placeholder to be made a leaf or split later).
    mutating func addPlaceholder() -> Int {
        let index = feature.count
        feature.append(-1)
        threshold.append(0)
        children.append(-1)
        missingLeft.append(false)
        return index
    }

    /// Turns placeholder `node` into a leaf with the given values.
    mutating func makeLeaf(_ node: Int, _ leafValues: some Collection<Double>) {
        precondition(leafValues.count == outputs)
        feature[node] = -1
        children[node] = Int32(values.count / outputs)
        values.append(contentsOf: leafValues)
    }

    /// Turns `node` into a split and appends its two children as placeholders; returns the
    /// left child's index (the right one is the next).
    mutating func split(_ node: Int, feature f: Int, threshold t: Double, missingLeft ml: Bool) -> Int {
        let left = addPlaceholder()
        _ = addPlaceholder()
        feature[node] = Int32(f)
        threshold[node] = t
        missingLeft[node] = ml
        children[node] = Int32(left)
        return left
    }

    /// Calls `body` with a view of the node arrays for fast traversal.
    func withView<R>(_ body: (TreeView) -> R) -> R {
        feature.withUnsafeBufferPointer { f in
            threshold.withUnsafeBufferPointer { t in
                children.withUnsafeBufferPointer { c in
                    missingLeft.withUnsafeBufferPointer { m in
                        values.withUnsafeBufferPointer { v in
                            body(TreeView(feature: f.baseAddress!, threshold: t.baseAddress!, children: c.baseAddress!,
                                          missingLeft: m.baseAddress!, values: v.baseAddress!, outputs: outputs))
                        }
                    }
                }
            }
        }
    }
}

/// A tree's node arrays as pointers, valid inside `Tree.withView`: prediction walks millions
/// of nodes, where array bounds checks and branches on which child to take cost more than the
/// comparison itself.
struct TreeView {
    let feature: UnsafePointer<Int32>
    let threshold: UnsafePointer<Double>
    let children: UnsafePointer<Int32>
    let missingLeft: UnsafePointer<Bool>
    let values: UnsafePointer<Double>
    let outputs: Int

    /// Where the leaf a row ends in keeps its values (an index into `values`); `row` points at
    /// the row's feature values.
    @inline(__always)
    func leafOffset(_ row: UnsafePointer<Double>) -> Int {
        var node = 0
        var f = feature[0]
        while f >= 0 {
            let v = row[Int(f)]
            // Right is left + 1: add 1 unless the row goes left, without a branch.
            let goLeft = (v <= threshold[node]) || (v.isNaN && missingLeft[node])
            node = Int(children[node]) + 1 - Int(unsafeBitCast(goLeft, to: UInt8.self))
            f = feature[node]
        }
        return Int(children[node]) * outputs
    }
}

extension Tree: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.write(outputs)
        writer.write(feature)
        writer.write(threshold)
        writer.write(children)
        writer.writeRaw(missingLeft.map { $0 ? 1 : 0 })
        writer.write(values)
    }

    public init(from reader: inout ByteReader) throws {
        outputs = try reader.readInt()
        feature = try reader.readInt32s()
        threshold = try reader.readDoubles()
        children = try reader.readInt32s()
        missingLeft = try reader.readRaw().map { $0 != 0 }
        values = try reader.readDoubles()
        let n = feature.count
        guard outputs > 0, threshold.count == n, children.count == n, missingLeft.count == n, values.count % outputs == 0 else {
            throw MMPError.corrupt("a stored tree has inconsistent node arrays")
        }
        let leaves = values.count / outputs
        for i in 0..<n {
            let c = Int(children[i])
            if feature[i] < 0 {
                guard c >= 0, c < leaves else { throw MMPError.corrupt("a stored tree's leaf \(i) points outside its values") }
            } else {
                // Children always come after their parent, so traversal ends.
                guard c > i, c + 1 < n else { throw MMPError.corrupt("a stored tree's node \(i) points outside the tree") }
            }
        }
    }
}

/// Runs per-row work over a feature matrix in parallel chunks when the matrix is large.
enum RowParallel {
    /// Calls `body(rows, rowPointer)` for chunks of rows of `features` (`rowPointer` points at the
    /// chunk's first row), on up to `threads` threads. `body` runs concurrently for different
    /// chunks: it may only write to the chunk's own rows of any output.
    static func forEachChunk(_ features: Matrix, expectedColumns: Int, threads: Int = CPUInfo.availableCores,
                             _ body: (Range<Int>, UnsafePointer<Double>) -> Void) {
        let rows = features.rows, columns = features.columns
        precondition(columns == expectedColumns,
                     "the model was trained on \(expectedColumns) features and is asked to predict rows of \(columns)")
        // A model trained on features never sees a matrix without columns; nothing to walk.
        guard rows > 0, columns > 0 else { return }
        features.values.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            if threads <= 1 || rows * max(1, columns) < 100_000 {
                body(0..<rows, base)
                return
            }
            let pool = WorkerPool(threads: threads)
            pool.forEachChunk(count: rows, chunk: pool.chunkSize(for: rows, minimum: 512)) { range, _ in
                body(range, base + range.lowerBound * columns)
            }
        }
    }
}
