#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// A kernel function as libsvm (and so scikit-learn's SVC/SVR) defines it.
struct SVMKernel: Sendable, Equatable, BinaryCodable {
    enum Kind: String, Sendable, CaseIterable { case linear, rbf, poly, sigmoid }

    var kind: Kind
    var gamma: Double
    var degree: Int
    var coef0: Double

    /// K(a, b) from the dot product a·b and the squared norms |a|², |b|² (RBF needs them).
    @inline(__always)
    func value(dot: Double, normA: Double, normB: Double) -> Double {
        switch kind {
        case .linear: return dot
        // Rounding can make |a|² + |b|² - 2a·b slightly negative for near-equal rows.
        case .rbf: return exp(-gamma * max(0, normA + normB - 2 * dot))
        case .poly: return SVMKernel.power(gamma * dot + coef0, degree)
        case .sigmoid: return tanh(gamma * dot + coef0)
        }
    }

    /// base^n by squaring, as libsvm's powi (degree is a whole number).
    static func power(_ base: Double, _ n: Int) -> Double {
        var result = 1.0, b = base, e = n
        while e > 0 {
            if e & 1 == 1 { result *= b }
            b *= b
            e >>= 1
        }
        return result
    }

    /// scikit-learn's gamma: "scale" is 1 / (features × variance of all of X), "auto" is
    /// 1 / features; a number is taken as given.
    static func resolveGamma(_ value: JSON, _ x: Matrix) -> Double {
        if let g = value.doubleValue { return g }
        let d = Double(max(1, x.columns))
        if value.stringValue == "auto" { return 1 / d }
        var mean = 0.0
        for v in x.values { mean += v }
        mean /= Double(max(1, x.values.count))
        var variance = 0.0
        for v in x.values { variance += (v - mean) * (v - mean) }
        variance /= Double(max(1, x.values.count))
        return variance > 0 ? 1 / (d * variance) : 1
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(kind.rawValue)
        writer.write(gamma)
        writer.write(degree)
        writer.write(coef0)
    }

    init(kind: Kind, gamma: Double, degree: Int, coef0: Double) {
        self.kind = kind; self.gamma = gamma; self.degree = degree; self.coef0 = coef0
    }

    init(from reader: inout ByteReader) throws {
        guard let kind = Kind(rawValue: try reader.readString()) else { throw MMPError.corrupt("unknown SVM kernel") }
        self.kind = kind
        gamma = try reader.readDouble()
        degree = try reader.readInt()
        coef0 = try reader.readDouble()
    }
}

/// Rows of a feature matrix with their squared norms, held in memory this object owns so hot
/// loops can read them through pointers.
final class KernelRows: @unchecked Sendable {
    let rows: Int
    let columns: Int
    let values: UnsafeMutablePointer<Double>
    let norms: UnsafeMutablePointer<Double>

    init(_ x: Matrix, rows indices: [Int]? = nil) {
        let picked = indices ?? Array(0..<x.rows)
        rows = picked.count
        columns = x.columns
        values = .allocate(capacity: max(1, rows * columns))
        norms = .allocate(capacity: max(1, rows))
        x.values.withUnsafeBufferPointer { src in
            for (k, r) in picked.enumerated() {
                let from = src.baseAddress! + r * columns, to = values + k * columns
                to.update(from: from, count: columns)
                norms[k] = VectorMath.dot(to, to, columns)
            }
        }
    }

    deinit { values.deallocate(); norms.deallocate() }

    @inline(__always)
    func row(_ i: Int) -> UnsafePointer<Double> { UnsafePointer(values + i * columns) }
}

/// Columns of the kernel matrix K(x_i, x_j) over the training rows, computed on demand (in
/// parallel over row chunks) and kept in a least-recently-used cache of `cacheBytes`, as
/// libsvm's Cache: the solver asks for two columns per iteration and mostly revisits the same
/// support vectors. Values are stored as Float, as libsvm's Qfloat.
final class KernelColumns: @unchecked Sendable {
    let data: KernelRows
    let kernel: SVMKernel
    let diagonal: [Double]
    private let pool: WorkerPool
    private let capacity: Int
    private let storage: UnsafeMutablePointer<Float>
    private var slotOf: [Int32]
    private var indexOf: [Int32]
    // LRU list over slots: head is most recent.
    private var previous: [Int32]
    private var next: [Int32]
    private var head: Int32 = -1
    private var tail: Int32 = -1
    private var used = 0
    private(set) var computed = 0

    init(data: KernelRows, kernel: SVMKernel, cacheBytes: Int, pool: WorkerPool) {
        self.data = data
        self.kernel = kernel
        self.pool = pool
        let n = data.rows
        capacity = max(2, min(n, cacheBytes / max(1, n * MemoryLayout<Float>.stride)))
        storage = .allocate(capacity: capacity * max(1, n))
        slotOf = [Int32](repeating: -1, count: n)
        indexOf = [Int32](repeating: -1, count: capacity)
        previous = [Int32](repeating: -1, count: capacity)
        next = [Int32](repeating: -1, count: capacity)
        diagonal = (0..<n).map { kernel.value(dot: data.norms[$0], normA: data.norms[$0], normB: data.norms[$0]) }
    }

    deinit { storage.deallocate() }

    /// Column `i` (K(x_i, x_j) for every j), valid until two more columns have been asked for.
    func column(_ i: Int) -> UnsafePointer<Float> {
        let n = data.rows
        let known = slotOf[i]
        if known >= 0 {
            touch(known)
            return UnsafePointer(storage + Int(known) * n)
        }
        let slot: Int32
        if used < capacity {
            slot = Int32(used)
            used += 1
        } else {
            slot = tail
            unlink(slot)
            slotOf[Int(indexOf[Int(slot)])] = -1
        }
        indexOf[Int(slot)] = Int32(i)
        slotOf[i] = slot
        pushFront(slot)
        let out = storage + Int(slot) * n
        fill(out, row: i)
        computed += 1
        return UnsafePointer(out)
    }

    private func fill(_ out: UnsafeMutablePointer<Float>, row i: Int) {
        let n = data.rows, d = data.columns
        let xi = data.row(i), ni = data.norms[i]
        let kernel = self.kernel, data = self.data
        let work = n * max(1, d)
        let body = { (range: Range<Int>) in
            for j in range {
                out[j] = Float(kernel.value(dot: VectorMath.dot(xi, data.row(j), d), normA: ni, normB: data.norms[j]))
            }
        }
        if pool.width > 1 && work >= 65_536 {
            pool.forEachChunk(count: n, chunk: (n + pool.width - 1) / pool.width) { range, _ in body(range) }
        } else {
            body(0..<n)
        }
    }

    private func touch(_ slot: Int32) {
        guard head != slot else { return }
        unlink(slot)
        pushFront(slot)
    }

    private func unlink(_ slot: Int32) {
        let s = Int(slot)
        let p = previous[s], q = next[s]
        if p >= 0 { next[Int(p)] = q } else { head = q }
        if q >= 0 { previous[Int(q)] = p } else { tail = p }
        previous[s] = -1; next[s] = -1
    }

    private func pushFront(_ slot: Int32) {
        let s = Int(slot)
        previous[s] = -1
        next[s] = head
        if head >= 0 { previous[Int(head)] = slot }
        head = slot
        if tail < 0 { tail = slot }
    }
}
