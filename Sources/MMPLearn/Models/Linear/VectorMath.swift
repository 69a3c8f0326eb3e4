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
