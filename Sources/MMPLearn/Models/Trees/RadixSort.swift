/// Sorting many doubles fast: binning sorts up to 200,000 values per feature, where a
/// comparison sort is the slowest step of the whole setup.
enum RadixSort {
    /// Sorts non-NaN doubles ascending (-0.0 before +0.0). LSD radix sort on the order-
    /// preserving integer image of each double, 11 bits per pass, skipping passes in which
    /// every key has the same digit.
    static func sort(_ values: inout [Double]) {
        let n = values.count
        guard n > 64 else { values.sort(); return }
        var keys = values.map { v -> UInt64 in
            let bits = v.bitPattern
            return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
        }
        var scratch = [UInt64](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 2048)
        keys.withUnsafeMutableBufferPointer { keysBuffer in
            scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                counts.withUnsafeMutableBufferPointer { counts in
                    var source = keysBuffer.baseAddress!, target = scratchBuffer.baseAddress!
                    var shift: UInt64 = 0
                    while shift < 64 {
                        for d in 0..<2048 { counts[d] = 0 }
                        for i in 0..<n { counts[Int((source[i] >> shift) & 2047)] += 1 }
                        if counts[Int((source[0] >> shift) & 2047)] != n {
                            var sum = 0
                            for d in 0..<2048 { let c = counts[d]; counts[d] = sum; sum += c }
                            for i in 0..<n {
                                let d = Int((source[i] >> shift) & 2047)
                                target[counts[d]] = source[i]
                                counts[d] += 1
                            }
                            swap(&source, &target)
                        }
                        shift += 11
                    }
                    // `source` holds the sorted keys; map them back.
                    for i in 0..<n {
                        let k = source[i]
                        values[i] = Double(bitPattern: k >> 63 == 1 ? k & ~(1 << 63) : ~k)
                    }
                }
            }
        }
    }
}
