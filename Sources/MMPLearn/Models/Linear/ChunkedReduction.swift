import Dispatch

/// Sums a per-row quantity (a loss and its gradient) over fixed chunks of rows, the chunks spread
/// over threads and the partial sums added in chunk order, so the result is the same bit for
/// bit whatever the thread count. Threads are Dispatch workers that block when idle; none spins.
struct ChunkedReduction {
    /// Rows per chunk: large enough that scheduling costs nothing, small enough to balance.
    static let chunkRows = 16_384

    let rows: Int
    /// Numbers each chunk produces (e.g. gradient length + 1 for the loss).
    let width: Int
    let threads: Int

    init(rows: Int, width: Int, threads: Int) {
        self.rows = rows
        self.width = width
        let chunks = (rows + Self.chunkRows - 1) / Self.chunkRows
        self.threads = max(1, min(threads, chunks))
    }

    var chunkCount: Int { (rows + Self.chunkRows - 1) / Self.chunkRows }

    /// Runs `body(rowRange, partial)` for every chunk, where `partial` (zeroed, `width` long) is
    /// that chunk's accumulator, and returns the chunk accumulators summed in order.
    func sum(_ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        let chunks = chunkCount, rows = rows, width = width, threads = threads
        var partials = [Double](repeating: 0, count: max(chunks, 1) * width)
        partials.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            withoutActuallyEscaping(body) { body in
                // Each chunk writes only its own slice of `partials`, and concurrentPerform
                // returns after every iteration has finished, so sharing these is safe.
                let shared = UncheckedShare((base, body))
                let work = { @Sendable (slot: Int) in
                    let (base, body) = shared.value
                    var chunk = slot
                    while chunk < chunks {
                        let start = chunk * Self.chunkRows
                        body(start..<min(rows, start + Self.chunkRows), base + chunk * width)
                        chunk += threads
                    }
                }
                if threads == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: work) }
            }
        }
        var total = [Double](repeating: 0, count: width)
        for c in 0..<chunks { for j in 0..<width { total[j] += partials[c * width + j] } }
        return total
    }
}

/// Dot products and scaled adds over contiguous doubles with SIMD accumulators (plain scalar
/// reductions do not vectorise without reassociation).
enum VectorMath {
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
        var acc0 = SIMD4<Double>(), acc1 = SIMD4<Double>()
        var j = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while j + 8 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self) * rb.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
            acc1 += ra.loadUnaligned(fromByteOffset: j * 8 + 32, as: SIMD4<Double>.self) * rb.loadUnaligned(fromByteOffset: j * 8 + 32, as: SIMD4<Double>.self)
            j += 8
        }
        if j + 4 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self) * rb.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
            j += 4
        }
        var s = (acc0 + acc1).sum()
        while j < n { s += a[j] * b[j]; j += 1 }
        return s
    }

    /// y += alpha · x
    @inline(__always)
    static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        let a = SIMD4<Double>(repeating: alpha)
        var j = 0
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        while j + 4 <= n {
            let v = ry.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self) + a * rx.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
            ry.storeBytes(of: v, toByteOffset: j * 8, as: SIMD4<Double>.self)
            j += 4
        }
        while j < n { y[j] += alpha * x[j]; j += 1 }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in dot(pa.baseAddress!, pb.baseAddress!, min(a.count, b.count)) } }
    }
}

/// Hands a value to parallel workers where the caller guarantees they touch disjoint memory.
struct UncheckedShare<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
